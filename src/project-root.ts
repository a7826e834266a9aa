import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's root, where package.json, views/ and migrations/ are: the nearest directory
 * above this module that holds a package.json. The same whether the sources run as TypeScript
 * from src/ or bundled (dist/bench/ for `npm run bench`, src/cli/ in the container image).
 */
export const projectRoot = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}: is the install complete?`);
  }
}
