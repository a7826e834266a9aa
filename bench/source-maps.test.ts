import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleGateway } from '../scripts/bundle.ts';
import { OriginalPositions } from './source-maps.ts';

/** Zero-based line and column of the first `text` in `code`. */
function positionOf(code: string, text: string): { line: number; column: number } {
  const at = code.indexOf(text);
  expect(at).toBeGreaterThanOrEqual(0);
  const before = code.slice(0, at).split('\n');
  return { line: before.length - 1, column: before.at(-1)?.length ?? 0 };
}

describe('positions in the bundled gateway, found in the files they came from', () => {
  let dir: string;
  let entry: string;
  let code: string;
  const originals = new OriginalPositions();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sekisho-maps-'));
    entry = join(dir, 'primitives.js');
    // Our code that imports a package (zod): two files, each with its map, as scripts/bundle.ts writes them.
    await bundleGateway('src/config/primitives.ts', entry);
    code = readFileSync(entry, 'utf8');
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a function of ours: its TypeScript file and line', () => {
    const source = readFileSync(new URL('../src/config/primitives.ts', import.meta.url), 'utf8');
    const name = /export function (\w+)\(/.exec(source)?.[1] ?? '';
    expect(name).not.toBe('');
    const found = originals.find({
      url: pathToFileURL(entry).href,
      ...positionOf(code, `function ${name}(`),
    });
    expect(found.url).toBe(new URL('../src/config/primitives.ts', import.meta.url).href);
    expect(found.line).toBe(positionOf(source, `export function ${name}(`).line);
  });

  it("a package's function: its file in node_modules", () => {
    const chunk = readdirSync(join(dir, 'chunks')).find((file) => /^zod-.*\.js$/.test(file)) ?? '';
    const chunkUrl = pathToFileURL(join(dir, 'chunks', chunk)).href;
    const chunkCode = readFileSync(new URL(chunkUrl), 'utf8');
    const found = originals.find({ url: chunkUrl, ...positionOf(chunkCode, 'function ') });
    expect(found.url).toMatch(/\/node_modules\/zod\/.+\.js$/);
  });

  it('a --perf-basic-prof name (one-based) is renamed; code without a map keeps its name', () => {
    const { line, column } = positionOf(code, 'function ');
    const renamed = originals.rename(`JS:*f ${pathToFileURL(entry).href}:${line + 1}:${column + 1}`);
    expect(renamed).toMatch(/^JS:\*f file:\/\/\/.+\/src\/config\/primitives\.ts:\d+:\d+$/);
    const plain = 'JS:^route node:internal/http:12:3';
    expect(originals.rename(plain)).toBe(plain);
    const unmapped = `JS:~g ${new URL('./source-maps.ts', import.meta.url).href}:3:1`;
    expect(originals.rename(unmapped)).toBe(unmapped);
  });
});
