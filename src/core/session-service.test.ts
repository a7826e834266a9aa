import { describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../adapters/memory/memory-store.ts';
import { FakeClock } from '../ports/clock.ts';
import type { AuditEvent } from '../ports/audit.ts';
import type { Store } from '../ports/store.ts';
import { environmentWatch } from './known-environments.ts';
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
