import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../adapters/memory/memory-store.ts';
import { FakeClock } from '../ports/clock.ts';
import { SessionCache } from './session-cache.ts';
import type { ActiveSession } from './session-token.ts';

const ttlMs = 1000;

function session(token: string): ActiveSession {
  const data = {
    userId: 'taro',
    groups: [],
    proven: ['password'],
    createdAt: 0,
    authenticatedAt: 0,
    ip: '127.0.0.1',
    userAgent: 'test',
  };
  return { token, hash: `h-${token}`, data };
}

/** A cache listening on a real in-process channel, its clock moved by hand. */
async function startedCache(maxEntries = 100) {
  const clock = new FakeClock(1_000_000);
  const cache = new SessionCache(clock, { ttlMs, maxEntries });
  const channel = new MemoryStore(clock);
  await cache.start(channel);
  // The cache answers once its first heartbeat has come back through the channel.
  await new Promise((resolve) => setImmediate(resolve));
  return { clock, cache };
}

/**
 * One request of a session: the cache answers, and when a background read is due it is done at
 * once (as the session service does, behind the answer), storing the session afresh.
 */
function use(cache: SessionCache, clock: FakeClock, token: string): 'hit' | 'hit+refresh' | 'miss' {
  const found = cache.get(token);
  if (!found) {
    cache.set(session(token), clock.now(), cache.generation);
    return 'miss';
  }
  if (!cache.refreshDue(token)) return 'hit';
  cache.set(session(token), clock.now(), cache.generation);
  return 'hit+refresh';
}

describe('SessionCache refresh-ahead', () => {
  it('reads a session used every half TTL behind every request, also when one comes a little early', async () => {
    const { clock, cache } = await startedCache();
    try {
      const seen = [use(cache, clock, 't')];
      // 1,000 sessions sharing 2,000 requests a second: each every 500 ms, give or take.
      for (const gap of [500, 480, 530, 500, 470, 540]) {
        clock.advance(gap);
        seen.push(use(cache, clock, 't'));
      }
      // With half the TTL as the only rule, the request 20 ms early found the entry 480 ms old
      // (not due) and the next one, 530 ms later, found it expired: a read in front of it.
      expect(seen).toEqual(['miss', ...Array(6).fill('hit+refresh')]);
    } finally {
      cache.stop();
    }
  });

  it('reads a busy session again only half-way through its TTL, and never serves an entry past it', async () => {
    const { clock, cache } = await startedCache();
    try {
      const seen = [use(cache, clock, 'b')];
      for (let i = 0; i < 60; i++) {
        clock.advance(10);
        seen.push(use(cache, clock, 'b'));
      }
      expect(seen.filter((s) => s === 'hit+refresh')).toHaveLength(1);
      expect(seen.indexOf('hit+refresh')).toBe(50);
      // No request for longer than the TTL: the entry is gone, whatever its last gap.
      clock.advance(ttlMs);
      expect(cache.get('b')).toBeUndefined();
    } finally {
      cache.stop();
    }
  });

  it('keeps the half-TTL rule for a session whose rhythm is not known yet', async () => {
    const { clock, cache } = await startedCache();
    try {
      cache.set(session('n'), clock.now(), cache.generation);
      clock.advance(499);
      expect(cache.refreshDue('n')).toBe(false);
      clock.advance(1);
      expect(cache.refreshDue('n')).toBe(true);
    } finally {
      cache.stop();
    }
  });

  it('counts the request that missed as a use: a session read late after a cold start is read again at its next request', async () => {
    const { clock, cache } = await startedCache();
    try {
      // After a restart every session misses at once, and a request that waited behind the others
      // for 100 ms read the store late: the session's next request, on time, comes 400 ms after
      // that read began, the one after 600 ms later. Judged a gap ahead (or at half the TTL) the
      // first found the entry not due and the second found it expired: a second miss, for every
      // session alike, a second or two after the start.
      const seen = [use(cache, clock, 'c')];
      for (const gap of [400, 600, 500]) {
        clock.advance(gap);
        seen.push(use(cache, clock, 'c'));
      }
      expect(seen).toEqual(['miss', 'hit+refresh', 'hit+refresh', 'hit+refresh']);
      // A burst (a page and its assets) is not read again early for it.
      cache.forget('c');
      expect(use(cache, clock, 'c')).toBe('miss');
      clock.advance(10);
      expect(use(cache, clock, 'c')).toBe('hit');
    } finally {
      cache.stop();
    }
  });
});

describe('SessionCache entries read again', () => {
  it('keep the object requests hold (a session never changes once created), their age starting at the new read', async () => {
    const { clock, cache } = await startedCache();
    try {
      const first = session('s');
      cache.set(first, clock.now(), cache.generation);
      clock.advance(600);
      cache.set(session('s'), clock.now(), cache.generation);
      expect(cache.get('s')).toBe(first);
      clock.advance(300);
      expect(cache.renew('s', clock.now(), cache.generation)).toBe(first);
      clock.advance(999);
      expect(cache.get('s')).toBe(first);
      clock.advance(1);
      expect(cache.get('s')).toBeUndefined();
    } finally {
      cache.stop();
    }
  });

  it('are renewed only while cached and only if no session ended since the read began', async () => {
    const { clock, cache } = await startedCache();
    try {
      expect(cache.renew('s', clock.now(), cache.generation)).toBeUndefined();
      expect(cache.get('s')).toBeUndefined();
      cache.set(session('s'), clock.now(), cache.generation);
      const began = cache.generation;
      await cache.endHash('h-other');
      clock.advance(600);
      expect(cache.renew('s', clock.now(), began)).toBeUndefined();
      // Not renewed: the entry still ends a TTL after the first read.
      clock.advance(399);
      expect(cache.get('s')?.token).toBe('s');
      clock.advance(1);
      expect(cache.get('s')).toBeUndefined();
    } finally {
      cache.stop();
    }
  });

  it('when full, let go of the oldest read even when every entry was read again since it came', async () => {
    const { clock, cache } = await startedCache(2);
    try {
      cache.set(session('a'), clock.now(), cache.generation);
      cache.set(session('b'), clock.now(), cache.generation);
      clock.advance(100);
      cache.renew('a', clock.now(), cache.generation);
      clock.advance(100);
      cache.renew('b', clock.now(), cache.generation);
      cache.set(session('c'), clock.now(), cache.generation);
      expect(cache.get('a')).toBeUndefined();
      expect(cache.get('b')?.token).toBe('b');
      expect(cache.get('c')?.token).toBe('c');
      // b was moved back unmarked when c came: with nothing read since, it is next in line.
      cache.set(session('d'), clock.now(), cache.generation);
      expect(cache.get('b')).toBeUndefined();
      expect(cache.get('c')?.token).toBe('c');
      expect(cache.get('d')?.token).toBe('d');
    } finally {
      cache.stop();
    }
  });

  it('keep the oldest read first in line when full', async () => {
    const { clock, cache } = await startedCache(2);
    try {
      cache.set(session('a'), clock.now(), cache.generation);
      cache.set(session('b'), clock.now(), cache.generation);
      cache.renew('a', clock.now(), cache.generation);
      cache.set(session('c'), clock.now(), cache.generation);
      expect(cache.get('b')).toBeUndefined();
      expect(cache.get('a')?.token).toBe('a');
      expect(cache.get('c')?.token).toBe('c');
    } finally {
      cache.stop();
    }
  });
});
