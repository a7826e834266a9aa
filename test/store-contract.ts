import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/ports/clock.ts';
import type { Store, StoredSession } from '../src/ports/store.ts';

/** Builds a fresh, empty store on the given clock; `dispose` removes what it made. */
export type StoreFactory = (clock: FakeClock) => Promise<{ store: Store; dispose: () => Promise<void> }>;

const session: StoredSession = {
  userId: 'taro',
  groups: ['eigyo'],
  proven: ['password'],
  createdAt: 0,
  authenticatedAt: 0,
  ip: '127.0.0.1',
  userAgent: 'test',
};

/** The behaviour every Store implementation must have: run by the memory and Redis stores alike. */
export function runStoreContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    let clock: FakeClock;
    let store: Store;
    let dispose: () => Promise<void>;
    const touch = () => ({ now: clock.now(), idleMs: 60_000, ttlMs: 120_000 });

    beforeEach(async () => {
      clock = new FakeClock();
      ({ store, dispose } = await factory(clock));
    });
    afterEach(async () => dispose());

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

    it('consumes a challenge on the right answer, once', async () => {
      await store.openChallenge('c', 'right', 3, 10_000);
      expect(await store.attemptChallenge('c', 'right')).toEqual({ outcome: 'ok', attemptsLeft: 3 });
      expect((await store.attemptChallenge('c', 'right')).outcome).toBe('dead');
    });

    it('kills a challenge after the allowed wrong answers', async () => {
      await store.openChallenge('c', 'right', 2, 10_000);
      expect(await store.attemptChallenge('c', 'wrong')).toEqual({ outcome: 'wrong', attemptsLeft: 1 });
      expect(await store.attemptChallenge('c', 'wrong')).toEqual({ outcome: 'dead', attemptsLeft: 0 });
      expect((await store.attemptChallenge('c', 'right')).outcome).toBe('dead');
    });

    it('kills a challenge at its expiry and replaces it when reopened', async () => {
      await store.openChallenge('c', 'first', 3, 10_000);
      await store.openChallenge('c', 'second', 3, 10_000);
      expect((await store.attemptChallenge('c', 'first')).outcome).toBe('wrong');
      clock.advance(10_000);
      expect((await store.attemptChallenge('c', 'second')).outcome).toBe('dead');
    });

    it('counts challenge attempts atomically under concurrency', async () => {
      await store.openChallenge('c', 'right', 5, 10_000);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.attemptChallenge('c', 'no')));
      expect(results.filter((r) => r.outcome === 'wrong')).toHaveLength(4);
      expect(results.filter((r) => r.outcome === 'dead')).toHaveLength(16);
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

    it('delivers published messages to subscribers', async () => {
      let deliver: (message: string) => void = () => {};
      const received = new Promise<string>((resolve) => (deliver = resolve));
      await store.subscribe('events', (message) => deliver(message));
      await store.publish('events', 'hello');
      expect(await received).toBe('hello');
    });
  });
}
