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
  const file = join(dir, mode);
  const child = spawnPrintingToFile(['--allow-natives-syntax', '--expose-gc', fixture, mode], file);
  return tickKeyFeedback(await printedAfterExit(child, file));
}

describe('keepTickObjectShape', () => {
  it('keeps process.nextTick monomorphic through full collections that run with no tick queued', async () => {
    const [kept, none] = await Promise.all([feedback('keep'), feedback('none')]);
    // Node 22's tick object: three computed keys, then `callback` and `args`.
    expect(kept).toHaveLength(5);
    expect(kept.every((state) => state === 'MONOMORPHIC')).toBe(true);
    // What it prevents, as V8 does it: without a kept tick object the caches lose their map.
    expect(none).toHaveLength(5);
    expect(none).toContain('MEGAMORPHIC');
  });
});
