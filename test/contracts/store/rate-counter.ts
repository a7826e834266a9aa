import { describe, expect, it } from 'vitest';
import type { FakeClock } from '../../../src/ports/clock.ts';
import type { RateCounter } from '../../../src/ports/rate-counter.ts';
import { withFreshStore, type StoreFactory } from './fresh-store.ts';

/** What every {@link RateCounter} must do. */
export function rateCounterContract(adapter: string, factory: StoreFactory<RateCounter>): void {
  describe(`RateCounter contract: ${adapter}`, () => {
    let clock: FakeClock;
    let store: RateCounter;
    withFreshStore(factory, (fresh, freshClock) => {
      store = fresh;
      clock = freshClock;
    });

    it('counts hits in a fixed window that starts at the first hit', async () => {
      expect(await store.hit('k', 1000)).toBe(1);
      expect(await store.hit('k', 1000)).toBe(2);
      expect(await store.peek('k')).toBe(2);
      clock.advance(1000);
      expect(await store.peek('k')).toBe(0);
      expect(await store.hit('k', 1000)).toBe(1);
      await store.reset('k');
      expect(await store.peek('k')).toBe(0);
    });

    it('keeps counters apart and resets several at once', async () => {
      await store.hit('a', 1000);
      await store.hit('b', 1000);
      await store.hit('b', 1000);
      await store.hit('c', 1000);
      expect(await store.peek('b')).toBe(2);
      await store.reset('a', 'b');
      expect([await store.peek('a'), await store.peek('b'), await store.peek('c')]).toEqual([0, 0, 1]);
      await store.reset();
    });
  });
}
