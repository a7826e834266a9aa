import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('../test/fixtures/heap-growth.mjs', import.meta.url));

/** The largest heap V8 committed during a burst that fills the old generation, per byte kept live. */
async function growth(mode: 'tuned' | 'default'): Promise<number> {
  // The image's young generation, so that only the old generation's growth differs, and a heap
  // limit that lets V8 use its largest factor whatever this host's memory.
  const args = ['--expose-gc', '--max-semi-space-size=8', '--max-old-space-size=4096', fixture, mode];
  const { stdout } = await run(process.execPath, args);
  const { largest, kept } = JSON.parse(stdout) as { largest: number; kept: number };
  return largest / kept;
}

describe('tuneGarbageCollector', () => {
  it('keeps the heap within ~1.3x of what survives (plus the young generation) through a burst', async () => {
    const [tuned, untuned] = await Promise.all([growth('tuned'), growth('default')]);
    // ~40 MiB live: 1.3x of it and a 16 MiB young generation is ~1.7x; V8's own factor went past 5x.
    expect(tuned).toBeLessThan(2.5);
    expect(untuned).toBeGreaterThan(tuned * 1.5);
  });
});
