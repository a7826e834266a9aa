import { describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../adapters/memory/memory-store.ts';
import { FakeClock } from '../ports/clock.ts';
import type { AuditEvent } from '../ports/audit.ts';
import type { Store } from '../ports/store.ts';
import { environmentWatch } from './known-environments.ts';
import { SessionService, type ActiveSession } from './session-service.ts';

const timeouts = { idleMs: 60_000, absoluteMs: 600_000 };
const client = { ip: '127.0.0.1', userAgent: 'test' };
const user = { id: 'taro', groups: ['eigyo'], revision: 0 };

/** A real in-memory store whose single session reads and batched re-reads are counted. */
function countingStore(clock: FakeClock): { store: Store; touches: () => number; batches: string[][] } {
  const store = new MemoryStore(clock);
  let touches = 0;
  const batches: string[][] = [];
  const touchSession = store.touchSession.bind(store);
  store.touchSession = (...args) => {
    touches++;
    return touchSession(...args);
  };
  const touchSessions = store.touchSessions.bind(store);
  store.touchSessions = (hashes, touch) => {
    batches.push([...hashes]);
    return touchSessions(hashes, touch);
  };
  return { store, touches: () => touches, batches };
}

/** Lets the in-memory store's answers (promises settled within a turn) land. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('SessionService revisions', () => {
  it("records the user's revision, keeping the lowest of proofs carried over, and ends only sessions below one", async () => {
    const clock = new FakeClock(1_000_000);
    const sessions = new SessionService(new MemoryStore(clock), clock, timeouts);
    const before = await sessions.prove(null, user, 'password', client);
    expect(before.data.revision).toBe(0);
    // A second factor proven after a new password, on a session whose password came before it.
    const carried = await sessions.prove(before, { ...user, revision: 1 }, 'SMSOTP', client);
    expect(carried.data.revision).toBe(0);
    const after = await sessions.prove(null, { ...user, revision: 1 }, 'password', client);
    expect(after.data.revision).toBe(1);
    expect(await sessions.endAllFor('taro', 1)).toBe(1);
    expect(await sessions.read(carried.token)).toBeNull();
    expect((await sessions.read(after.token))?.data.revision).toBe(1);
    expect(await sessions.endAllFor('taro')).toBe(1);
    expect(await sessions.read(after.token)).toBeNull();
  });
});

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
    const other = await sessions.prove(null, { id: 'hanako', groups: [], revision: 0 }, 'password', client);
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

  it('reads a cached session in use again in the background before it expires, and reports a failed read', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const clock = new FakeClock(1_000_000);
    const { store, touches, batches } = countingStore(clock);
    const failures: unknown[] = [];
    const sessions = new SessionService(store, clock, timeouts, { ttlMs: 1000, maxEntries: 100 }, (error) =>
      failures.push(error),
    );
    const tick = () => {
      clock.advance(100);
      vi.advanceTimersByTime(100);
    };
    await sessions.start();
    try {
      const session = await sessions.prove(null, user, 'password', client);
      await sessions.read(session.token);
      expect(touches()).toBe(1);
      for (let i = 0; i < 7; i++) {
        tick();
        expect(sessions.readCached(session.token)?.data.userId).toBe('taro');
      }
      expect(batches).toHaveLength(0);
      // 800 ms after its read, used since: read again (and touched) behind the requests, in one batch.
      tick();
      expect(batches).toEqual([[session.hash]]);
      await settled();
      // Renewed at the batch's send time: used on, it is served 1,500 ms after the first read, and
      // read again 800 ms after the batch.
      for (let i = 0; i < 7; i++) {
        tick();
        expect(sessions.readCached(session.token)?.data.userId).toBe('taro');
      }
      expect(batches).toHaveLength(1);
      tick();
      expect(batches).toHaveLength(2);
      await settled();
      // The first read, then one per session in each batch (the memory store touches each as alone).
      expect(touches()).toBe(3);
      // A background read that fails is reported; the entry is still served until its TTL ends.
      store.touchSessions = () => Promise.reject(new Error('store down'));
      for (let i = 0; i < 7; i++) {
        tick();
        expect(sessions.readCached(session.token)?.data.userId).toBe('taro');
      }
      tick();
      await settled();
      expect(failures).toEqual([new Error('store down')]);
      tick();
      expect(sessions.readCached(session.token)?.data.userId).toBe('taro');
      tick();
      expect(sessions.readCached(session.token)).toBeUndefined();
    } finally {
      sessions.stop();
      vi.useRealTimers();
    }
  });
});

describe('SessionService background re-reads in batches', () => {
  /** A started service with the cache on, timers faked, and `count` sessions read once (cached). */
  async function busy(count: number) {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const clock = new FakeClock(1_000_000);
    const counting = countingStore(clock);
    const failures: unknown[] = [];
    const sessions = new SessionService(
      counting.store,
      clock,
      timeouts,
      { ttlMs: 1000, maxEntries: 1000 },
      (error) => failures.push(error),
    );
    await sessions.start();
    const all = [];
    for (let i = 0; i < count; i++) {
      const session = await sessions.prove(
        null,
        { id: `u${i}`, groups: [], revision: 0 },
        'password',
        client,
      );
      await sessions.read(session.token);
      all.push(session);
    }
    // The heartbeat's timer is faked too: one beat now, as the setup took real time (the cache
    // stops answering after 600 ms of real time without one).
    vi.advanceTimersByTime(200);
    await settled();
    /** Moves the gateway's clock and the sweep's timer on together, a sweep at a time. */
    const tick = (ms: number) => {
      for (let left = ms; left > 0; left -= 100) {
        clock.advance(Math.min(100, left));
        vi.advanceTimersByTime(Math.min(100, left));
      }
    };
    const done = () => {
      sessions.stop();
      vi.useRealTimers();
    };
    return { ...counting, clock, sessions, all, failures, tick, done };
  }

  it('sends the sessions due together as one store call, each once however often it is used', async () => {
    const { sessions, all, batches, tick, done } = await busy(3);
    try {
      tick(500);
      for (const session of all) {
        expect(sessions.readCached(session.token)?.data.userId).toMatch(/^u/);
        expect(sessions.readCached(session.token)?.data.userId).toMatch(/^u/);
      }
      tick(200);
      expect(batches).toHaveLength(0);
      tick(100);
      expect(batches).toEqual([all.map((s) => s.hash)]);
      // While the batch is under way the sessions are used again, and not sent again.
      for (const session of all) sessions.readCached(session.token);
      tick(100);
      expect(batches).toHaveLength(1);
      await settled();
      // Renewed by the batch (read at its send time): 1,001 ms after the first read they are
      // still cached, and sent again only 800 ms after the batch.
      tick(100);
      for (const session of all) expect(sessions.readCached(session.token)?.data.userId).toMatch(/^u/);
      tick(500);
      expect(batches).toHaveLength(1);
      tick(100);
      expect(batches).toHaveLength(2);
    } finally {
      done();
    }
  });

  it('stops sweeping when the service stops', async () => {
    const { sessions, all, batches, tick, done } = await busy(1);
    try {
      tick(500);
      sessions.readCached(all[0]?.token);
      sessions.stop();
      tick(500);
      expect(batches).toHaveLength(0);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      done();
    }
  });

  it('does not sweep with a TTL under 50 ms: an entry is read again only by the request that finds it expired', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const clock = new FakeClock(1_000_000);
    const { store, touches, batches } = countingStore(clock);
    const sessions = new SessionService(store, clock, timeouts, { ttlMs: 40, maxEntries: 100 });
    await sessions.start();
    try {
      // The heartbeat's interval only.
      expect(vi.getTimerCount()).toBe(1);
      const session = await sessions.prove(null, user, 'password', client);
      await sessions.read(session.token);
      for (let i = 0; i < 3; i++) {
        clock.advance(10);
        vi.advanceTimersByTime(10);
        expect(sessions.readCached(session.token)?.data.userId).toBe('taro');
      }
      clock.advance(10);
      vi.advanceTimersByTime(10);
      expect(batches).toHaveLength(0);
      expect(sessions.readCached(session.token)).toBeUndefined();
      expect((await sessions.read(session.token))?.data.userId).toBe('taro');
      expect(touches()).toBe(2);
    } finally {
      sessions.stop();
      vi.useRealTimers();
    }
  });

  it('sends no more than 256 sessions in one call', async () => {
    const { sessions, all, batches, tick, done } = await busy(257);
    try {
      tick(500);
      for (const session of all) sessions.readCached(session.token);
      tick(300);
      expect(batches.map((b) => b.length)).toEqual([256, 1]);
    } finally {
      done();
    }
  });

  it('drops what a batch found gone from the store, like a single read, and keeps the rest', async () => {
    const { sessions, all, store, tick, done } = await busy(2);
    const [gone, kept] = all as [ActiveSession, ActiveSession];
    try {
      await store.deleteSession(gone.hash);
      tick(500);
      sessions.readCached(gone.token);
      sessions.readCached(kept.token);
      tick(300);
      await settled();
      expect(sessions.readCached(gone.token)).toBeUndefined();
      expect(await sessions.read(gone.token)).toBeNull();
      expect(sessions.readCached(kept.token)?.data.userId).toBe('u1');
    } finally {
      done();
    }
  });

  it('ends a session that a batch finds live but past its absolute timeout', async () => {
    const { sessions, clock, all, store, batches, tick, done } = await busy(1);
    const [old] = all as [ActiveSession];
    try {
      // Used every 50 s (within the idle timeout) until 700 ms before the absolute timeout, when it
      // is read afresh; used again, it is sent 800 ms after that read, past the absolute timeout.
      for (let at = 50_000; at < timeouts.absoluteMs - 700; at += 50_000) {
        tick(50_000);
        expect(await sessions.read(old.token)).not.toBeNull();
      }
      tick(timeouts.absoluteMs - 700 - (clock.now() - old.data.createdAt));
      expect(await sessions.read(old.token)).not.toBeNull();
      tick(500);
      expect(sessions.readCached(old.token)?.token).toBe(old.token);
      tick(300);
      expect(batches.at(-1)).toEqual([old.hash]);
      await settled();
      expect(await store.peekSession(old.hash)).toBeNull();
      expect(sessions.readCached(old.token)).toBeUndefined();
    } finally {
      done();
    }
  });

  it('lets a revocation win over a batch that was sent before it and answers after it', async () => {
    const { sessions, all, store, batches, tick, done } = await busy(2);
    const [revoked, other] = all as [ActiveSession, ActiveSession];
    // The store answers the batch only when told: the revocation lands while it is under way.
    let answer: () => void = () => undefined;
    const touchSessions = store.touchSessions.bind(store);
    store.touchSessions = (hashes, touch) => {
      const found = touchSessions(hashes, touch);
      return new Promise((resolve) => {
        answer = () => resolve(found);
      });
    };
    try {
      tick(500);
      sessions.readCached(revoked.token);
      sessions.readCached(other.token);
      tick(300);
      expect(batches).toEqual([[revoked.hash, other.hash]]);
      // The batch read both sessions live; then one is revoked (on this instance or announced).
      await settled();
      await sessions.endByHash(revoked.hash);
      answer();
      await settled();
      expect(sessions.readCached(revoked.token)).toBeUndefined();
      expect(await sessions.read(revoked.token)).toBeNull();
      // The other session's result raced an end too, so it is not stored: its old entry stays until its TTL.
      tick(100);
      expect(sessions.readCached(other.token)?.data.userId).toBe('u1');
      tick(100);
      expect(sessions.readCached(other.token)).toBeUndefined();
    } finally {
      done();
    }
  });

  it('reports a failed batch once and never takes it for a valid session', async () => {
    const { sessions, all, store, failures, tick, done } = await busy(3);
    store.touchSessions = () => Promise.reject(new Error('store down'));
    try {
      tick(500);
      for (const session of all) sessions.readCached(session.token);
      tick(300);
      await settled();
      expect(failures).toEqual([new Error('store down')]);
      // No entry was renewed nor sent again: each expires on time and the next request reads (and fails) itself.
      tick(100);
      for (const session of all) expect(sessions.readCached(session.token)?.data.userId).toMatch(/^u/);
      tick(100);
      expect(failures).toHaveLength(1);
      for (const session of all) expect(sessions.readCached(session.token)).toBeUndefined();
      store.touchSession = () => Promise.reject(new Error('store down'));
      await expect(sessions.read(all[0]?.token)).rejects.toThrow('store down');
    } finally {
      done();
    }
  });
});

describe('SessionService and known environments (newdevice=)', () => {
  /** The real watch over a real in-memory store; notices and audit rows recorded. */
  function watched(enabled: { on: boolean }) {
    const clock = new FakeClock(1_000_000);
    const store = new MemoryStore(clock);
    const told: string[] = [];
    const audited: AuditEvent[] = [];
    const watch = environmentWatch({
      ...{ store, secret: 'environment-test-secret', days: 90 },
      audit: { record: async (event) => void audited.push(event) },
      notify: async (userId, environment) => {
        told.push(`${userId}@${environment.ip}`);
        return 'MAMORU';
      },
      enabled: () => enabled.on,
    });
    const sessions = new SessionService(store, clock, timeouts, undefined, undefined, watch);
    return { sessions, watch, told, audited };
  }
  const from = (ip: string) => ({ ip, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0' });

  it('remembers the place on the first proof besides the password, even while no rule asks, and tells nobody then', async () => {
    const enabled = { on: false };
    const { sessions, watch, told } = watched(enabled);
    const session = await sessions.prove(null, user, 'MAMORU', from('192.0.2.1'));
    expect(session.data.newEnvironment).toBeUndefined();
    expect(await watch.isKnown('taro', from('192.0.2.1'))).toBe(true);
    expect(told).toEqual([]);
    enabled.on = true;
    expect(
      (await sessions.prove(null, user, 'MAMORU', from('192.0.2.1'))).data.newEnvironment,
    ).toBeUndefined();
  });

  it('judges a passwordless first proof before remembering it: new once, known after', async () => {
    const { sessions, watch, told, audited } = watched({ on: true });
    const first = await sessions.prove(null, user, 'MAMORU', from('192.0.2.2'));
    expect(first.data.newEnvironment).toBe(true);
    expect(await watch.isKnown('taro', from('192.0.2.2'))).toBe(true);
    await vi.waitFor(() => expect(audited.map((e) => e.event)).toEqual(['login.new_environment']));
    expect(told).toEqual(['taro@192.0.2.2']);
    const again = await sessions.prove(null, user, 'MAMORU', from('192.0.2.2'));
    expect(again.data.newEnvironment).toBeUndefined();
    expect(told).toHaveLength(1);
  });

  it('keeps the judgement of the password login, and a password alone remembers nothing', async () => {
    const { sessions, watch, told } = watched({ on: true });
    const password = await sessions.prove(null, user, 'password', from('192.0.2.3'));
    expect(password.data.newEnvironment).toBe(true);
    expect(await watch.isKnown('taro', from('192.0.2.3'))).toBe(false);
    const sms = await sessions.prove(password, user, 'SMSOTP', from('192.0.2.3'));
    expect(sms.data.newEnvironment).toBe(true);
    expect(await watch.isKnown('taro', from('192.0.2.3'))).toBe(true);
    // A second factor in the same session neither remembers nor tells again.
    await sessions.prove(sms, user, 'TOTP', from('192.0.2.3'));
    await vi.waitFor(() => expect(told).toEqual(['taro@192.0.2.3']));
  });
});
