import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/ports/clock.ts';
import { MemoryStore } from '../../src/adapters/memory/memory-store.ts';
import { RedisStore } from '../../src/adapters/redis/redis-store.ts';
import { runStoreContracts } from './store-contract.ts';
import { redisUrl, uniqueName } from '../support/env.ts';
import { dropRedisPrefix } from '../support/redis.ts';
import { startTcpForwarderFor } from '../support/tcp-forwarder.ts';
import { waitFor } from '../support/wait-for.ts';

runStoreContracts('memory', async (clock) => {
  const store = new MemoryStore(clock);
  return { store, dispose: () => store.close() };
});

runStoreContracts('redis', async (clock) => {
  const keyPrefix = `${uniqueName('store')}:`;
  const store = new RedisStore({ url: redisUrl, keyPrefix, commandTimeoutMs: 2000 }, clock);
  await store.connect();
  return {
    store,
    dispose: async () => {
      await dropRedisPrefix(keyPrefix);
      await store.close();
    },
  };
});

/** A connected Redis store under a fresh prefix, for `use`; its keys are dropped afterwards. */
async function withRedisStore(use: (store: RedisStore, keyPrefix: string) => Promise<void>): Promise<void> {
  const keyPrefix = `${uniqueName('store')}:`;
  const store = new RedisStore({ url: redisUrl, keyPrefix, commandTimeoutMs: 2000 }, new FakeClock());
  await store.connect();
  try {
    await use(store, keyPrefix);
  } finally {
    await dropRedisPrefix(keyPrefix);
    await store.close();
  }
}

describe('redis store: what real time expires', () => {
  it("keeps a user's session index for the absolute timeout, not only the idle one", async () => {
    await withRedisStore(async (store, keyPrefix) => {
      const session = {
        userId: 'taro',
        groups: [],
        proven: ['password'],
        createdAt: 0,
        authenticatedAt: 0,
        ip: '',
        userAgent: '',
      };
      await store.createSession('h1', session, {
        now: 0,
        idleMs: 60_000,
        ttlMs: 60_000,
        indexTtlMs: 28_800_000,
      });
      // Redis itself expires keys in real time; a used session outlives its idle window, so its index must too.
      expect(await store.client.pttl(`${keyPrefix}usess:taro`)).toBeGreaterThan(28_000_000);
      expect(await store.client.pttl(`${keyPrefix}sess:h1`)).toBeLessThanOrEqual(60_000);
    });
  });
});

describe('redis store: its connection, as the composition root sees it', () => {
  it('shares its client with the rate limiter under its own prefix, and names itself redis', async () => {
    await withRedisStore(async (store, keyPrefix) => {
      expect(store.kind).toBe('redis');
      expect(store.rateLimitBackend()).toEqual({ redis: store.client, nameSpace: `${keyPrefix}rl:` });
    });
  });

  it('reports a connection the server dropped, as soon as it drops', async () => {
    await withRedisStore(async (store) => {
      const lost = vi.fn();
      store.onConnectionLost(lost);
      const id = await store.client.client('ID');
      const admin = new Redis(redisUrl);
      try {
        await admin.client('KILL', 'ID', String(id));
      } finally {
        admin.disconnect();
      }
      await vi.waitFor(() => expect(lost).toHaveBeenCalled());
    });
  });
});

describe('memory store: its connection', () => {
  it('has nothing to share with the rate limiter and names itself memory', () => {
    const store = new MemoryStore(new FakeClock());
    expect(store.kind).toBe('memory');
    expect(store.rateLimitBackend()).toBeNull();
  });
});

describe('redis store: a lost connection is reported, whichever of its two it is', () => {
  it('reports the subscriber connection dropping, also when the subscription is made after the watch', async () => {
    const { forwarder, url } = await startTcpForwarderFor(redisUrl);
    const keyPrefix = `${uniqueName('store')}:`;
    const store = new RedisStore({ url, keyPrefix, commandTimeoutMs: 2000 }, new FakeClock());
    try {
      await store.connect();
      let lost = 0;
      store.onConnectionLost(() => lost++);
      // The subscriber connection is made here, after the watch was asked for.
      await store.subscribe('ends', () => {});
      await store.ping();
      expect(lost).toBe(0);
      expect(forwarder.drop(/subscribe/i)).toBe(1);
      await waitFor(() => lost > 0, 2000, 'the subscriber connection reported lost');
      // The command connection was not touched.
      await store.ping();
    } finally {
      await store.close();
      await forwarder.cut();
    }
  });
});
