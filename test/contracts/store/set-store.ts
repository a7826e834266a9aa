import { describe, expect, it } from 'vitest';
import type { FakeClock } from '../../../src/ports/clock.ts';
import type { SetStore } from '../../../src/ports/set-store.ts';
import { withFreshStore, type StoreFactory } from './fresh-store.ts';

/** What every {@link SetStore} must do. */
export function setStoreContract(adapter: string, factory: StoreFactory<SetStore>): void {
  describe(`SetStore contract: ${adapter}`, () => {
    let clock: FakeClock;
    let store: SetStore;
    withFreshStore(factory, (fresh, freshClock) => {
      store = fresh;
      clock = freshClock;
    });

    it('adds, lists, checks and removes set members', async () => {
      expect(await store.setMembers('s')).toEqual([]);
      await store.addToSet('s', 10_000, 'a', 'b');
      await store.addToSet('s', 10_000, 'b', 'c');
      expect((await store.setMembers('s')).sort()).toEqual(['a', 'b', 'c']);
      expect(await store.isSetMember('s', 'b')).toBe(true);
      expect(await store.isSetMember('s', 'z')).toBe(false);
      await store.removeFromSet('s', 'b', 'z');
      expect((await store.setMembers('s')).sort()).toEqual(['a', 'c']);
      expect(await store.isSetMember('s', 'b')).toBe(false);
      expect(await store.setMembers('other')).toEqual([]);
    });

    it('keeps members that look like field names apart from the set itself', async () => {
      await store.addToSet('s', 10_000, 'e', 'm:e', '');
      expect((await store.setMembers('s')).sort()).toEqual(['', 'e', 'm:e']);
      expect(await store.isSetMember('s', 'e')).toBe(true);
    });

    it('expires a whole set on the clock, and each add moves the expiry for every member', async () => {
      await store.addToSet('s', 1000, 'a');
      clock.advance(600);
      await store.addToSet('s', 1000, 'b');
      clock.advance(600);
      expect((await store.setMembers('s')).sort()).toEqual(['a', 'b']);
      clock.advance(400);
      expect(await store.setMembers('s')).toEqual([]);
      expect(await store.isSetMember('s', 'a')).toBe(false);
      await store.addToSet('s', 1000, 'c');
      expect(await store.setMembers('s')).toEqual(['c']);
    });
  });
}
