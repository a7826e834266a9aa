import { describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../adapters/memory/memory-store.ts';
import { FakeClock } from '../ports/clock.ts';
import type { Store } from '../ports/store.ts';
import { SessionService } from './session-service.ts';

const timeouts = { idleMs: 60_000, absoluteMs: 600_000 };
const client = { ip: '127.0.0.1', userAgent: 'test' };
const user = { id: 'taro', groups: ['eigyo'] };

/** A real in-memory store whose session reads are counted. */
function countingStore(clock: FakeClock): { store: Store; touches: () => number } {
  const store = new MemoryStore(clock);
  let touches = 0;
  const touchSession = store.touchSession.bind(store);
  store.touchSession = (...args) => {
    touches++;
    return touchSession(...args);
  };
  return { store, touches: () => touches };
}

describe('SessionService reads with the cache on', () => {
  it('lets requests that miss together share one store read', async () => {
    const clock = new FakeClock(1_000_000);
    const { store, touches } = countingStore(clock);
    const sessions = new SessionService(store, clock, timeouts, { ttlMs: 1000, maxEntries: 100 });
    const session = await sessions.prove(null, user, 'password', client);
    const reads = await Promise.all(Array.from({ length: 20 }, () => sessions.read(session.token)));
    expect(reads.map((r) => r?.data.userId)).toEqual(Array(20).fill('taro'));
    expect(touches()).toBe(1);
    // Once that read is over, the next miss reads again.
    await sessions.read(session.token);
    expect(touches()).toBe(2);
  });

  it('does not let a request join a read that began before a session ended', async () => {
    const clock = new FakeClock(1_000_000);
    const { store, touches } = countingStore(clock);
    const sessions = new SessionService(store, clock, timeouts, { ttlMs: 1000, maxEntries: 100 });
    const session = await sessions.prove(null, user, 'password', client);
    const other = await sessions.prove(null, { id: 'hanako', groups: [] }, 'password', client);
    const before = sessions.read(session.token);
    await sessions.endByHash(session.hash);
    const after = sessions.read(session.token);
    expect(touches()).toBe(2);
    expect(await after).toBeNull();
    await before;
    // Any end counts, not only this session's: an unrelated logout also starts a fresh read.
    const first = sessions.read(other.token);
    await sessions.endByHash(session.hash);
    const second = sessions.read(other.token);
    expect((await first)?.data.userId).toBe('hanako');
    expect((await second)?.data.userId).toBe('hanako');
    expect(touches()).toBe(4);
  });

  it('reads the store for every request when the cache is off', async () => {
    const clock = new FakeClock(1_000_000);
    const { store, touches } = countingStore(clock);
    const sessions = new SessionService(store, clock, timeouts, { ttlMs: 0, maxEntries: 1 });
    const session = await sessions.prove(null, user, 'password', client);
    await Promise.all(Array.from({ length: 5 }, () => sessions.read(session.token)));
    expect(touches()).toBe(5);
  });

  it('reads a cached session again in the background half-way through its TTL, and reports a failed read', async () => {
    const clock = new FakeClock(1_000_000);
    const { store, touches } = countingStore(clock);
    const failures: unknown[] = [];
    const sessions = new SessionService(store, clock, timeouts, { ttlMs: 1000, maxEntries: 100 }, (error) =>
      failures.push(error),
    );
    await sessions.start();
    try {
      const session = await sessions.prove(null, user, 'password', client);
      await sessions.read(session.token);
      expect(touches()).toBe(1);
      clock.advance(499);
      expect(sessions.readCached(session.token)?.data.userId).toBe('taro');
      expect(touches()).toBe(1);
      // Half the TTL: answered from the cache at once, and read again behind the answer.
      clock.advance(1);
      expect(sessions.readCached(session.token)?.data.userId).toBe('taro');
      expect(touches()).toBe(2);
      // (The in-memory store answers within the current turn of the event loop.)
      await new Promise((resolve) => setImmediate(resolve));
      // Renewed: 999 ms after the background read the entry is still fresh (and due again).
      clock.advance(999);
      expect(sessions.readCached(session.token)?.data.userId).toBe('taro');
      expect(touches()).toBe(3);
      await new Promise((resolve) => setImmediate(resolve));
      // A background read that fails is reported; the entry is still served until its TTL ends.
      store.touchSession = () => Promise.reject(new Error('store down'));
      clock.advance(500);
      expect(sessions.readCached(session.token)?.data.userId).toBe('taro');
      await vi.waitFor(() => expect(failures).toHaveLength(1));
      clock.advance(500);
      expect(sessions.readCached(session.token)).toBeUndefined();
    } finally {
      sessions.stop();
    }
  });
});
