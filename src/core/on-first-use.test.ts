import { describe, expect, it } from 'vitest';
import { onFirstUse } from './on-first-use.ts';

describe('onFirstUse', () => {
  it('loads once, on the first call, and callers at once share that load', async () => {
    let loads = 0;
    const library = onFirstUse(async () => ({ n: ++loads }));
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([library(), library()]);
    const c = await library();
    expect(loads).toBe(1);
    expect(a).toBe(b);
    expect(c).toBe(a);
  });

  it('does not keep a failed load: the next call tries again', async () => {
    let loads = 0;
    const library = onFirstUse(async () => {
      loads += 1;
      if (loads === 1) throw new Error('not there yet');
      return 'loaded';
    });
    await expect(library()).rejects.toThrow('not there yet');
    await expect(library()).resolves.toBe('loaded');
    await expect(library()).resolves.toBe('loaded');
    expect(loads).toBe(2);
  });
});
