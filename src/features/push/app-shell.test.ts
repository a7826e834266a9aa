import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const STATIC = new URL('../../../views/static/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, STATIC), 'utf8');

/** Every module `entry` loads, itself included, as `/_sekisho/static/…` paths. */
function moduleGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const [, spec] of read(path).matchAll(/^import\s[^'"]*['"](\.{1,2}\/[^'"]+)['"]/gm)) {
      visit(new URL(spec ?? '', new URL(path, 'http://x/')).pathname.slice(1));
    }
  };
  visit(entry);
  return [...seen].map((path) => `/_sekisho/static/${path}`).sort();
}

describe('the authenticator app shell', () => {
  it('the service worker keeps every module the authenticator page loads, so it opens offline', () => {
    const shell = [...read('push/sw.js').matchAll(/'(\/_sekisho\/static\/[^']+\.js)'/g)].map((m) => m[1]);
    expect(shell.sort()).toEqual(moduleGraph('push/authenticator.js'));
  });
});
