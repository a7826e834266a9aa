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

/** One request of a session: the cache answers, or the store is read (a miss) and the entry stored. */
function use(cache: SessionCache, clock: FakeClock, token: string): 'hit' | 'miss' {
  if (cache.get(token)) return 'hit';
  cache.set(session(token), clock.now(), cache.generation);
  return 'miss';
}

/**
 * Runs the session service's sweep every `sweepEveryMs` from `from` to `to` (gateway clock),
 * reading each session handed out at once; the clock ends at `to`. When each was read again.
 */
function sweepUntil(
  cache: SessionCache,
  clock: FakeClock,
  to: number,
  readAgain: Map<string, number[]>,
): void {
  for (;;) {
    const every = cache.sweepEveryMs ?? Number.POSITIVE_INFINITY;
    const next = Math.ceil((clock.now() + 1) / every) * every;
    if (next > to) break;
    clock.advance(next - clock.now());
    for (const due of cache.takeDue()) {
      cache.renew(due.token, clock.now(), cache.generation);
      readAgain.set(due.token, [...(readAgain.get(due.token) ?? []), clock.now()]);
    }
  }
  clock.advance(to - clock.now());
}

/** A session's requests at these gaps (ms), with the sweep running between them. */
function requests(cache: SessionCache, clock: FakeClock, token: string, gaps: readonly number[]) {
  const readAgain = new Map<string, number[]>();
  const seen = [use(cache, clock, token)];
  for (const gap of gaps) {
    sweepUntil(cache, clock, clock.now() + gap, readAgain);
    seen.push(use(cache, clock, token));
  }
  return { seen, readAgain: readAgain.get(token) ?? [] };
}

describe('SessionCache sessions read again before they expire', () => {
  it('reads a session used every half TTL once per TTL or so, never in front of a request, whatever the jitter', async () => {
    const { clock, cache } = await startedCache();
    try {
      const start = clock.now();
      // 1,000 sessions sharing 2,000 requests a second: each every 500 ms, give or take.
      const gaps = [500, 480, 530, 500, 470, 540, 500, 520, 460, 500, 510, 490];
      const { seen, readAgain } = requests(cache, clock, 't', gaps);
      expect(seen).toEqual(['miss', ...gaps.map(() => 'hit')]);
      // Read again 0.8–0.9 s after each read (the sweep runs every 100 ms), not behind each of the
      // twelve requests as when a request decided it.
      const reads = [start, ...readAgain];
      expect(reads.slice(1).map((at, i) => at - (reads[i] as number))).toEqual(Array(7).fill(800));
    } finally {
      cache.stop();
    }
  });

  it('reads a session used many times a second once per TTL too, and never serves an entry past it', async () => {
    const { clock, cache } = await startedCache();
    try {
      const { seen, readAgain } = requests(cache, clock, 'b', Array(300).fill(10));
      expect(seen.every((s, i) => s === (i === 0 ? 'miss' : 'hit'))).toBe(true);
      expect(readAgain).toHaveLength(3);
      // No request for longer than the TTL: the entry is gone, whatever came before.
      clock.advance(ttlMs);
      expect(cache.get('b')).toBeUndefined();
    } finally {
      cache.stop();
    }
  });

  it('reads again on time a session whose first read came late after a cold start', async () => {
    const { clock, cache } = await startedCache();
    try {
      // After a restart every session misses at once, and a request that waited behind the others
      // for 100 ms read the store late: the session's next request, on time, comes 400 ms after
      // that read began, the one after 600 ms later. Judged by its requests' rhythm that came to a
      // second miss for every session alike; the sweep goes by the entry's age alone.
      const { seen } = requests(cache, clock, 'c', [400, 600, 500, 400, 600]);
      expect(seen).toEqual(['miss', 'hit', 'hit', 'hit', 'hit', 'hit']);
    } finally {
      cache.stop();
    }
  });

  it('leaves alone a session not used since its read, hands each out once per read, and lets expired entries go', async () => {
    const { clock, cache } = await startedCache();
    try {
      const readAgain = new Map<string, number[]>();
      use(cache, clock, 'idle');
      use(cache, clock, 'failed');
      clock.advance(10);
      use(cache, clock, 'failed');
      // The read for 'failed' never comes back: it is not handed out again, and expires on time.
      clock.advance(890);
      expect(cache.takeDue().map((s) => s.token)).toEqual(['failed']);
      clock.advance(50);
      expect(cache.get('failed')?.token).toBe('failed');
      expect(cache.takeDue()).toEqual([]);
      sweepUntil(cache, clock, clock.now() + 100, readAgain);
      expect(readAgain.size).toBe(0);
      expect(cache.size).toBe(0);
      expect(cache.get('failed')).toBeUndefined();
      // A cache whose channel is lost hands out nothing (it answers nothing either).
      use(cache, clock, 'cut');
      clock.advance(10);
      use(cache, clock, 'cut');
      clock.advance(800);
      cache.suspend();
      expect(cache.takeDue()).toEqual([]);
    } finally {
      cache.stop();
    }
  });

  it('sweeps every 100 ms, or a fifth of a shorter TTL, and not at all below 50 ms', () => {
    const every = (ttl: number) =>
      new SessionCache(new FakeClock(), { ttlMs: ttl, maxEntries: 10 }).sweepEveryMs;
    expect([every(1000), every(250), every(50), every(49), every(1), every(0)]).toEqual([
      100,
      50,
      10,
      null,
      null,
      null,
    ]);
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
