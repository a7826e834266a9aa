import { describe, expect, it } from 'vitest';
import { FakeClock } from '../src/ports/clock.ts';
import { MemoryStore } from '../src/adapters/memory/memory-store.ts';
import { RedisStore } from '../src/adapters/redis/redis-store.ts';
import { runStoreContract } from './store-contract.ts';
import { redisUrl, uniqueName } from './support/env.ts';
import { dropRedisPrefix } from './support/redis.ts';

runStoreContract('memory', async (clock) => {
  const store = new MemoryStore(clock);
  return { store, dispose: () => store.close() };
});

runStoreContract('redis', async (clock) => {
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

describe('redis store: what real time expires', () => {
  it("keeps a user's session index for the absolute timeout, not only the idle one", async () => {
    const keyPrefix = `${uniqueName('store')}:`;
    const store = new RedisStore({ url: redisUrl, keyPrefix, commandTimeoutMs: 2000 }, new FakeClock());
    await store.connect();
    try {
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
    } finally {
      await dropRedisPrefix(keyPrefix);
      await store.close();
    }
  });
});
