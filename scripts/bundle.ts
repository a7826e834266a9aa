/**
 * Builds the gateway's JavaScript as the container image ships it: rolldown bundles the
 * TypeScript from one entry point into ES modules that are minified (whitespace and syntax; names
 * kept, so stack traces name real functions) and ASCII-only. Every loaded module's source stays in
 * V8's heap for the life of the process (V8 compiles functions lazily, from that source), so a
 * smaller source is a smaller heap; and a source with one character beyond U+00FF is held at two
 * bytes a character.
 *
 * Chunks are named by npm package (a package's dependencies that nothing else imports often go
 * into its chunk) and the gateway's code is split at its dynamic imports, so what is loaded on
 * first use (the WebAuthn and Web Push libraries, the demo, each CLI command) stays out of
 * `sekisho serve` as it does from the sources. Not one file for all: compiling one multi-megabyte
 * module leaves ~15 MiB of parser memory in glibc's heap.
 *
 * Outside the bundle, resolved from node_modules at run time: argon2 (a native addon), PGlite (the
 * demo's WebAssembly database and its data files), pg-native (pg's optional binding, not
 * installed) and undici (below). Static files (the WebAuthn browser script, views/) are read from
 * disk as before.
 *
 *   node scripts/bundle.ts [outDir]   # the image's layout: <outDir>/src/cli/main.js (default: dist/image)
 */
import { rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * Resolved at run time from node_modules, never bundled. undici too: in three counts with it
 * bundled, every `process.nextTick` of the proxied path defined its object through V8's runtime
 * instead of optimised code (~60,000 more instructions per request, `npm run bench -- --suite
 * instructions`), for ~1 MiB of heap saved. The cause turned out not to be bundling but a full
 * collection while no tick object was queued, which loading undici from the bundle presumably
 * made likelier (src/tick-shape.ts keeps a tick object since). Bundling it again has not been
 * counted since.
 */
export const runtimeExternals: readonly RegExp[] = [
  /^argon2$/,
  /^@electric-sql\//,
  /^pg-native$/,
  /^undici(\/|$)/,
];

/** `…/node_modules/@scope/name/…` → `scope-name`; the gateway's own modules → undefined. */
function packageChunk(id: string): string | undefined {
  const at = id.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const [first = '', second = ''] = id.slice(at + '/node_modules/'.length).split('/');
  return first.startsWith('@') ? `${first.slice(1)}-${second}` : first;
}

/**
 * Bundles `entry` (a path from the project's root) into `outFile`, its chunks into a `chunks/`
 * directory beside it. Both relative to the project's root unless absolute.
 */
export async function bundleGateway(entry: string, outFile: string): Promise<void> {
  const out = resolve(root, outFile);
  // Chunks carry a hash in their names: an earlier build's would stay beside the new ones.
  await rm(join(dirname(out), 'chunks'), { recursive: true, force: true });
  await build({
    cwd: root,
    input: { [basename(out, '.js')]: resolve(root, entry) },
    platform: 'node',
    external: [...runtimeExternals],
    // The same compiler options as the type check and the sources (verbatimModuleSyntax: an
    // import kept for its side effects is never dropped as unused).
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'warn',
    // A package that cannot be found would otherwise be left as an import for run time, where the
    // image (`npm ci --omit=dev`) may not have it.
    onLog(level, log, handle) {
      handle(log.code === 'UNRESOLVED_IMPORT' ? 'error' : level, log);
    },
    output: {
      dir: dirname(out),
      format: 'esm',
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
      minify: {
        compress: { keepNames: { function: true, class: true } },
        mangle: false,
        codegen: { asciiOnly: true, legalComments: 'inline' },
      },
      sourcemap: true,
      // Positions only: the sources themselves are in the repository, not the image.
      sourcemapExcludeSources: true,
      codeSplitting: { groups: [{ name: packageChunk, debugName: 'package' }] },
    },
  });
}

if (import.meta.main) {
  const outDir = process.argv[2] ?? 'dist/image';
  // src/cli/main.js beside the sources would be run by bin/sekisho.js instead of them.
  if (resolve(root, outDir) === resolve(root))
    throw new Error('bundle: give an output directory other than the project');
  await bundleGateway('src/cli/main.ts', join(outDir, 'src', 'cli', 'main.js'));
}
