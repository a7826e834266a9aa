import { execFile } from 'node:child_process';
import { rm, symlink } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('../', import.meta.url);

/**
 * Compiles the gateway as the container image ships it (`tsc -p tsconfig.build.json`, no type
 * stripping at run time) into dist/, and returns the compiled bench gateway. The image puts the
 * compiled files beside views/; here dist/views links to the real views/ for the same layout.
 */
export async function compileGateway(): Promise<URL> {
  const tsc = fileURLToPath(new URL('node_modules/typescript/bin/tsc', root));
  const views = new URL('dist/views', root);
  // The link from an earlier run goes first: tsc would write its copies of the JSON messages
  // through it, over the real ones.
  await rm(views, { recursive: true, force: true });
  await run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: fileURLToPath(root) });
  await rm(views, { recursive: true, force: true });
  await symlink('../views', views, 'dir');
  return new URL('dist/bench/gateway-server.js', root);
}
