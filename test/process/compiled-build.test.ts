import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAst } from 'rolldown/parseAst';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type FakeBackend, type SeenRequest } from '../support/backend.ts';
import { FormClient } from '../support/browser-client.ts';
import { runSekisho } from '../support/cli.ts';
import { launchDemo, welcomeValue } from '../support/demo-process.ts';
import { request } from '../support/gateway.ts';
import {
  killIfRunning,
  startServerProcess,
  writeServerConfig,
  type ServerFixture,
  type ServerProcess,
} from '../support/server-process.ts';

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** The modules a file imports by name: static imports and re-exports, `import("…")`, `__require("…")`. */
function importedSpecifiers(code: string): string[] {
  const statics = parseAst(code).body.flatMap((node) =>
    'source' in node && node.source && typeof node.source.value === 'string' ? [node.source.value] : [],
  );
  // The bundler quotes with backticks; `__require` is its require() of a package left outside.
  const dynamics = [...code.matchAll(/\b(?:import|__require)\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map(
    (match) => match[1] ?? '',
  );
  return [...statics, ...dynamics];
}

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const recorder = ['--import', fileURLToPath(new URL('../fixtures/record-packages.mjs', import.meta.url))];

/**
 * The container image runs the gateway bundled (Dockerfile: `node scripts/bundle.ts`, the chunks
 * put beside views/, templates and migrations). This lays out the same image in a temporary
 * directory — with every .ts file left out, so nothing can fall back to the sources — and runs its
 * `sekisho` command for real.
 */
describe('the compiled build, laid out as the container image', () => {
  let image: string;
  let backend: FakeBackend;
  let fixture: ServerFixture;
  let server: ServerProcess | undefined;
  const password = 'compiled-build-pass-1';

  async function sekisho(args: string[], stdin?: string) {
    const result = await runSekisho(args, { entry: join(image, 'bin', 'sekisho.js'), stdin });
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  }

  beforeAll(async () => {
    image = mkdtempSync(join(tmpdir(), 'sekisho-image-'));
    // As the Dockerfile builds it (`node scripts/bundle.ts /build`) and lays it out: src/ only as
    // bundled; plugins/ only their templates; views/, migrations/, bin/ and package.json as they are.
    await run(process.execPath, [join(root, 'scripts', 'bundle.ts'), image], { cwd: root });
    cpSync(join(root, 'plugins'), join(image, 'plugins'), {
      recursive: true,
      filter: (source) => !source.endsWith('.ts'),
    });
    for (const part of ['views', 'migrations', 'bin', 'package.json']) {
      cpSync(join(root, part), join(image, part), { recursive: true });
    }
    symlinkSync(join(root, 'node_modules'), join(image, 'node_modules'), 'dir');

    backend = await startBackend();
    fixture = writeServerConfig({ backends: { app: { url: backend.url } } });
    await sekisho(['rule', 'set', '/app/=ALL;;', '--config', fixture.file]);
    await sekisho(['user', 'add', 'hanako', '--password-stdin', '--config', fixture.file], `${password}\n`);
    server = await startServerProcess(fixture.file, 1, {
      entry: join(image, 'bin', 'sekisho.js'),
      nodeArgs: recorder,
    });
  }, 180_000);

  afterAll(async () => {
    await killIfRunning(server);
    await backend?.close();
    await fixture?.cleanup();
    if (image) rmSync(image, { recursive: true, force: true });
  });

  it('holds no TypeScript; its code is one byte a character and imports only production dependencies', () => {
    const files = readdirSync(image, { recursive: true, encoding: 'utf8' }).filter(
      (f) => !f.startsWith('node_modules'),
    );
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files).toContain(join('src', 'cli', 'main.js'));
    const code = files.filter((f) => /^(src|plugins|bin)\//.test(f) && f.endsWith('.js'));
    const bundled = code.filter((f) => f.startsWith('src/'));
    expect(bundled.length).toBeGreaterThan(20);
    // V8 holds a source with any character beyond U+00FF at two bytes a character, for the life
    // of the process: the bundler writes the Japanese messages as \u escapes.
    expect(
      bundled.filter((file) =>
        [...readFileSync(join(image, file), 'utf8')].some((c) => c.charCodeAt(0) > 0xff),
      ),
    ).toEqual([]);
    // The image installs `npm ci --omit=dev`: a development package imported at run time would be
    // missing. Bundled, only what scripts/bundle.ts leaves outside is imported by name.
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const imported = new Set<string>();
    for (const file of code) {
      for (const specifier of importedSpecifiers(readFileSync(join(image, file), 'utf8'))) {
        if (!/^[./]/.test(specifier) && !isBuiltin(specifier)) imported.add(packageName(specifier));
      }
    }
    // Native helpers that ws and pg require inside try/catch and do without: in no image.
    const optional = ['bufferutil', 'pg-native', 'utf-8-validate'];
    expect([...imported].sort()).toEqual(
      ['@electric-sql/pglite', '@electric-sql/pglite-socket', 'argon2', 'undici', ...optional].sort(),
    );
    expect(
      [...imported].filter((name) => !optional.includes(name) && !(name in manifest.dependencies)),
    ).toEqual([]);
  });

  it('serves health, the login page (templates, messages, static files) and a login to the backend', async () => {
    if (!server) throw new Error('no server');
    expect((await request(`${server.url}/_sekisho/healthz`)).statusCode).toBe(200);
    const page = await request(`${server.url}/_sekisho/login`, { headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(await page.body.text()).toContain('name="_csrf"');
    expect((await request(`${server.url}/_sekisho/static/sekisho.css`)).statusCode).toBe(200);

    const client = new FormClient(server.url);
    expect((await client.login('hanako', password, '/app/')).status).toBe(303);
    const proxied = await client.get('/app/page');
    expect(proxied.status).toBe(200);
    const seen = JSON.parse(proxied.body) as SeenRequest;
    expect(seen.url).toBe('/page');
    expect(seen.headers['x-remote-user']).toBe('hanako');
  });

  it('loaded the chunks of what it served, not those of the libraries loaded on first use', async () => {
    if (!server) throw new Error('no server');
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    const loaded = JSON.parse(
      readFileSync(join(dirname(fixture.file), 'loaded-packages.json'), 'utf8'),
    ) as string[];
    expect(loaded).toEqual(
      expect.arrayContaining(['chunk:fastify', 'chunk:ioredis', 'chunk:pg', 'chunk:zod', 'argon2', 'undici']),
    );
    const firstUse = ['chunk:simplewebauthn-server', 'chunk:web-push', 'chunk:qrcode', 'chunk:pino-pretty'];
    expect(loaded.filter((name) => firstUse.includes(name))).toEqual([]);
    // …and those chunks are in the image, for the first passkey ceremony, push or QR code.
    const chunks = readdirSync(join(image, 'src', 'cli', 'chunks'));
    for (const name of firstUse) {
      expect(chunks.some((file) => file.startsWith(`${name.slice('chunk:'.length)}-`))).toBe(true);
    }
  });

  it('the first passkey ceremony loads the WebAuthn chunk and answers', async () => {
    const second = await startServerProcess(fixture.file, 1, {
      entry: join(image, 'bin', 'sekisho.js'),
      nodeArgs: recorder,
    });
    try {
      const response = await request(`${second.url}/_sekisho/passkey/options`, { method: 'POST' });
      expect(response.statusCode).toBe(200);
      const options = (await response.body.json()) as { challenge?: unknown; userVerification?: unknown };
      expect(options.userVerification).toBe('required');
      expect(typeof options.challenge).toBe('string');
    } finally {
      second.child.kill('SIGTERM');
    }
    expect(await second.exited).toEqual({ code: 0, signal: null });
    const loaded = JSON.parse(
      readFileSync(join(dirname(fixture.file), 'loaded-packages.json'), 'utf8'),
    ) as string[];
    expect(loaded).toContain('chunk:simplewebauthn-server');
  });

  it('with nothing configured it runs the demo: embedded Postgres, the welcome, a login to the sample intranet', async () => {
    // The bundle carries the demo too (PGlite, the pretty log, the sample intranet): started as
    // `bin/sekisho.js serve` with nothing configured, as `npm start` starts the sources. (The
    // image itself runs with a config file and NODE_ENV=production, and starts no demo.)
    const stateDir = mkdtempSync(join(tmpdir(), 'sekisho-image-demo-'));
    const demo = launchDemo(stateDir, image);
    try {
      const { url } = await demo.ready;
      const client = new FormClient(url);
      const login = await client.login('demo', welcomeValue(demo.stdout(), 'Password'), '/portal/');
      expect(login.status).toBe(303);
      const portal = await client.get('/portal/');
      expect(portal.status).toBe(200);
      expect(portal.body).toContain('社内ポータル');
      demo.child.kill('SIGTERM');
      expect(await demo.exited, demo.stderr()).toEqual({ code: 0, signal: null });
    } finally {
      await killIfRunning(demo);
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('an error nothing catches: exit 1 and its stack on stderr, without the bundled line it came from', async () => {
    const thrower = fileURLToPath(new URL('../fixtures/throw-uncaught.mjs', import.meta.url));
    const result = await runSekisho(['rule', 'list', '--config', fixture.file], {
      entry: join(image, 'bin', 'sekisho.js'),
      env: { NODE_OPTIONS: `--import ${thrower}` },
      timeoutMs: 30_000,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/sekisho: uncaught: Error: thrown on purpose by .*\n {4}at /);
    // Node's own report would echo the source line with a caret under the throw.
    expect(result.stderr).not.toMatch(/\n\s*\^\n/);
  });
});
