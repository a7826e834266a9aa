import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { projectRoot } from '../project-root.ts';

/** One file of `views/static/`, read once at start-up. */
export interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json',
};

const root = join(projectRoot, 'views', 'static');

/**
 * The gateway's static assets by URL path under `/_sekisho/static/`. Reading them all up
 * front means no request ever reaches the file system, so no path can escape the folder.
 */
export function loadStaticFiles(dir: string = root): ReadonlyMap<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const type = TYPES[extname(entry.name)];
    if (!type) continue;
    const full = join(entry.parentPath, entry.name);
    files.set(relative(dir, full).split(sep).join('/'), { body: readFileSync(full), type });
  }
  for (const [path, file] of Object.entries(vendorFiles())) {
    files.set(`vendor/${path}`, { body: readFileSync(file), type: TYPES['.js'] as string });
  }
  return files;
}

/**
 * Browser libraries served from the gateway's own origin (the pages' CSP allows scripts from
 * 'self' only, and no page loads anything from a CDN), by their path under `vendor/`.
 */
function vendorFiles(): Readonly<Record<string, string>> {
  const require = createRequire(import.meta.url);
  // The package's entry is <package>/script/index.js; its browser bundle sits beside it.
  const webauthn = dirname(dirname(require.resolve('@simplewebauthn/browser')));
  return { 'simplewebauthn-browser.js': join(webauthn, 'dist', 'bundle', 'index.umd.min.js') };
}
