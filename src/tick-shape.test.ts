import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  printedAfterExit,
  spawnPrintingToFile,
  tickKeyFeedback,
} from '../test/support/next-tick-feedback.ts';

const fixture = fileURLToPath(new URL('../test/fixtures/next-tick-feedback-bare.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sekisho-tick-shape-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The tick-key caches' states in a bare Node process, after full collections with no tick queued. */
async function feedback(mode: 'keep' | 'none'): Promise<string[]> {
  const run = spawnPrintingToFile(['--allow-natives-syntax', '--expose-gc', fixture, mode], join(dir, mode));
  return tickKeyFeedback(await printedAfterExit(run));
}

describe('keepTickObjectShape', () => {
  it('keeps process.nextTick monomorphic through full collections that run with no tick queued', async () => {
    const [kept, none] = await Promise.all([feedback('keep'), feedback('none')]);
    // Node 22's tick object: three computed keys, then `callback` and `args`.
    expect(kept).toEqual(Array(5).fill('MONOMORPHIC'));
    // What it prevents, as V8 does it: without a kept tick object every key after the first
    // (defined on the literal's own first map, which survives) loses its map for good.
    expect(none).toEqual(['MONOMORPHIC', ...Array(4).fill('MEGAMORPHIC')]);
  });
});
