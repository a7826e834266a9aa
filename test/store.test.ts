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
