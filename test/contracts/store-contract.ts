import { describe, expect, it } from 'vitest';
import type { FakeClock } from '../../src/ports/clock.ts';
import type { Store } from '../../src/ports/store.ts';
import { challengeStoreContract } from './store/challenge-store.ts';
import { withFreshStore, type StoreFactory } from './store/fresh-store.ts';
import { keyValueStoreContract } from './store/key-value-store.ts';
import { pubSubContract } from './store/pub-sub.ts';
import { rateCounterContract } from './store/rate-counter.ts';
import { sessionStoreContract } from './store/session-store.ts';
import { setStoreContract } from './store/set-store.ts';
import { storeConnectionContract } from './store/store-connection.ts';

export type { StoreFactory } from './store/fresh-store.ts';

/**
 * Every port's contract suite (test/contracts/store/), run against one adapter: the memory and
 * Redis stores each run all of them. The last suite holds what the ports promise each other when
 * one adapter provides them all.
 */
export function runStoreContracts(adapter: string, factory: StoreFactory<Store>): void {
  sessionStoreContract(adapter, factory);
  rateCounterContract(adapter, factory);
  keyValueStoreContract(adapter, factory);
  challengeStoreContract(adapter, factory);
  setStoreContract(adapter, factory);
  pubSubContract(adapter, factory);
  storeConnectionContract(adapter, factory);
  sharedStoreContract(adapter, factory);
}

function sharedStoreContract(adapter: string, factory: StoreFactory<Store>): void {
  describe(`Store (all ports in one adapter): ${adapter}`, () => {
    let clock: FakeClock;
    let store: Store;
    withFreshStore(factory, (fresh, freshClock) => {
      store = fresh;
      clock = freshClock;
    });

    it('keeps a challenge and a value of the same key apart', async () => {
      await store.openChallenge('k', 'right', 3, 10_000);
      await store.put('k', 'meta', 10_000);
      await store.remove('k');
      expect(await store.read('k')).toBeNull();
      expect((await store.attemptChallenge('k', 'wrong')).outcome).toBe('wrong');
      await store.put('k', 'meta', 10_000);
      await store.discardChallenge('k');
      expect(await store.read('k')).toBe('meta');
      expect((await store.attemptChallenge('k', 'right')).outcome).toBe('dead');
      clock.advance(10_000);
      expect(await store.read('k')).toBeNull();
    });
  });
}
