import { describe, expect, it } from 'vitest';
import type { FakeClock } from '../../../src/ports/clock.ts';
import type { SessionStore, StoredSession } from '../../../src/ports/session-store.ts';
import { withFreshStore, type StoreFactory } from './fresh-store.ts';

const session: StoredSession = {
  userId: 'taro',
  groups: ['eigyo'],
  proven: ['password'],
  createdAt: 0,
  authenticatedAt: 0,
  ip: '127.0.0.1',
  userAgent: 'test',
};

/** What every {@link SessionStore} must do. */
export function sessionStoreContract(adapter: string, factory: StoreFactory<SessionStore>): void {
  describe(`SessionStore contract: ${adapter}`, () => {
    let clock: FakeClock;
    let store: SessionStore;
    withFreshStore(factory, (fresh, freshClock) => {
      store = fresh;
      clock = freshClock;
    });
    const touch = () => ({ now: clock.now(), idleMs: 60_000, ttlMs: 120_000 });

    it('creates, reads and deletes a session', async () => {
      await store.createSession('h1', session, touch());
      expect(await store.touchSession('h1', touch())).toEqual(session);
      expect(await store.deleteSession('h1')).toBe(true);
      expect(await store.touchSession('h1', touch())).toBeNull();
      expect(await store.deleteSession('h1')).toBe(false);
    });

    it('ends a session idle for longer than the idle timeout, and keeps one that is used', async () => {
      await store.createSession('h1', session, touch());
      clock.advance(50_000);
      expect(await store.touchSession('h1', touch())).not.toBeNull();
      clock.advance(50_000);
      expect(await store.touchSession('h1', touch())).not.toBeNull();
      clock.advance(60_001);
      expect(await store.touchSession('h1', touch())).toBeNull();
      clock.advance(-60_001);
      expect(await store.touchSession('h1', touch())).toBeNull();
    });

    it('peeks at a session without touching it: listings do not keep sessions alive', async () => {
      const start = clock.now();
      await store.createSession('h1', session, touch());
      clock.advance(30_000);
      expect(await store.peekSession('h1')).toEqual({ session, lastSeen: start });
      expect(await store.peekSession('nope')).toBeNull();
      clock.advance(30_000);
      await store.touchSession('h1', touch());
      expect((await store.peekSession('h1'))?.lastSeen).toBe(start + 60_000);
      await store.deleteSession('h1');
      expect(await store.peekSession('h1')).toBeNull();
    });

    it("keeps a session used past its idle window in its user's index, so ending them all still ends it", async () => {
      await store.createSession('kept', session, { ...touch(), indexTtlMs: 3_600_000 });
      for (let i = 0; i < 5; i++) {
        clock.advance(50_000);
        expect(await store.touchSession('kept', touch())).not.toBeNull();
      }
      expect(await store.listUserSessions('taro')).toEqual(['kept']);
      expect(await store.deleteUserSessions('taro')).toBe(1);
      expect(await store.touchSession('kept', touch())).toBeNull();
    });

    it("lists and deletes all of a user's sessions, and only theirs", async () => {
      await store.createSession('a', session, touch());
      await store.createSession('b', session, touch());
      await store.createSession('c', { ...session, userId: 'hanako' }, touch());
      expect((await store.listUserSessions('taro')).sort()).toEqual(['a', 'b']);
      await store.deleteSession('a');
      expect(await store.listUserSessions('taro')).toEqual(['b']);
      expect(await store.deleteUserSessions('taro')).toBe(1);
      expect(await store.touchSession('b', touch())).toBeNull();
      expect(await store.touchSession('c', touch())).not.toBeNull();
      expect(await store.listUserSessions('taro')).toEqual([]);
    });

    it("deletes only the user's sessions below a revision (none recorded counts as 0), keeping the index for the rest", async () => {
      await store.createSession('old', session, touch());
      await store.createSession('r1', { ...session, revision: 1 }, touch());
      await store.createSession('r2', { ...session, revision: 2 }, touch());
      await store.createSession('other', { ...session, userId: 'hanako', revision: 0 }, touch());
      expect(await store.deleteUserSessions('taro', 2)).toBe(2);
      expect(await store.touchSession('old', touch())).toBeNull();
      expect(await store.touchSession('r1', touch())).toBeNull();
      expect(await store.touchSession('r2', touch())).toEqual({ ...session, revision: 2 });
      expect(await store.listUserSessions('taro')).toEqual(['r2']);
      expect(await store.touchSession('other', touch())).not.toBeNull();
      expect(await store.deleteUserSessions('taro', 2)).toBe(0);
      expect(await store.deleteUserSessions('taro')).toBe(1);
      expect(await store.listUserSessions('taro')).toEqual([]);
    });

    it('touches many sessions in one call, each as touchSession would, answering which are there, in order', async () => {
      await store.createSession('live', session, touch());
      await store.createSession('idle', { ...session, userId: 'hanako' }, touch());
      clock.advance(30_000);
      expect(await store.touchSession('live', touch())).not.toBeNull();
      clock.advance(30_001);
      // 'idle' was last seen 60,001 ms ago: gone (and deleted); 'live' 30,001 ms ago: read and touched.
      expect(await store.touchSessions(['idle', 'missing', 'live'], touch())).toEqual([false, false, true]);
      expect(await store.peekSession('idle')).toBeNull();
      expect((await store.peekSession('live'))?.lastSeen).toBe(clock.now());
      expect(await store.touchSessions([], touch())).toEqual([]);
      // The touch renewed the idle timer: 59,999 ms later 'live' is still there.
      clock.advance(59_999);
      expect(await store.touchSessions(['live', 'live'], touch())).toEqual([true, true]);
      expect(await store.touchSession('live', touch())).toEqual(session);
    });
  });
}
