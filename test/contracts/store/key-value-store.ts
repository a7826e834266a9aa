import { describe, expect, it } from 'vitest';
import type { FakeClock } from '../../../src/ports/clock.ts';
import type { KeyValueStore } from '../../../src/ports/key-value-store.ts';
import { withFreshStore, type StoreFactory } from './fresh-store.ts';

/** What every {@link KeyValueStore} must do. */
export function keyValueStoreContract(adapter: string, factory: StoreFactory<KeyValueStore>): void {
  describe(`KeyValueStore contract: ${adapter}`, () => {
    let clock: FakeClock;
    let store: KeyValueStore;
    withFreshStore(factory, (fresh, freshClock) => {
      store = fresh;
      clock = freshClock;
    });

    it('keeps values until their expiry, stores once with putIfAbsent and takes once', async () => {
      await store.put('v', 'one', 1000);
      expect(await store.read('v')).toBe('one');
      expect(await store.putIfAbsent('v', 'two', 1000)).toBe(false);
      clock.advance(1000);
      expect(await store.read('v')).toBeNull();
      expect(await store.putIfAbsent('v', 'two', 1000)).toBe(true);
      expect(await store.take('v')).toBe('two');
      expect(await store.take('v')).toBeNull();
      await store.put('w', 'x', 1000);
      await store.remove('w');
      expect(await store.read('w')).toBeNull();
    });

    it('replaces a value and its expiry on put, and removes several at once', async () => {
      await store.put('v', 'one', 1000);
      clock.advance(600);
      await store.put('v', 'two', 1000);
      clock.advance(600);
      expect(await store.read('v')).toBe('two');
      await store.put('w', 'x', 1000);
      await store.remove('v', 'w', 'absent');
      expect([await store.read('v'), await store.read('w')]).toEqual([null, null]);
      await store.remove();
    });
  });
}
