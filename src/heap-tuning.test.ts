import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { garbageCollectorFlags } from './heap-tuning.ts';

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

  it('leaves a flag the command line sets to the command line', () => {
    const ours = ['--no-allocation-site-pretenuring', '--heap-growing-percent=30'];
    expect(garbageCollectorFlags([])).toEqual(ours);
    expect(garbageCollectorFlags(['--enable-source-maps', '--max-semi-space-size=8'])).toEqual(ours);
    expect(garbageCollectorFlags(['--heap-growing-percent=50'])).toEqual([ours[0]]);
    expect(garbageCollectorFlags(['--heap_growing_percent=50'])).toEqual([ours[0]]);
    expect(garbageCollectorFlags(['--allocation-site-pretenuring'])).toEqual([ours[1]]);
    expect(garbageCollectorFlags(['--no-allocation_site_pretenuring', '--heap-growing-percent=20'])).toEqual(
      [],
    );
  });
});
