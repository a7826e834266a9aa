/**
 * A real Redis store under a key prefix of its own, for plugin tests (which may not import the
 * core's adapters themselves). `dispose()` deletes the prefix's keys and disconnects.
 */
import { RedisStore } from '../../src/adapters/redis/redis-store.ts';
import type { Clock } from '../../src/ports/clock.ts';
import type { Store } from '../../src/ports/store.ts';
import { redisUrl, uniqueName } from '../support/env.ts';
import { dropRedisPrefix } from '../support/redis.ts';

export interface RedisTestStore {
  /** Creates the store (once) on the given clock; pass as a store factory. */
  make(clock: Clock): Store;
  /** Connects the store made by `make`. */
  connect(): Promise<void>;
  dispose(): Promise<void>;
}

/** A Redis store factory under a fresh `sekisho_t_<label>_…:` prefix. */
export function redisTestStore(label: string): RedisTestStore {
  const keyPrefix = `${uniqueName(label)}:`;
  let store: RedisStore | null = null;
  return {
    make(clock) {
      store ??= new RedisStore({ url: redisUrl, keyPrefix, commandTimeoutMs: 2000 }, clock);
      return store;
    },
    connect: async () => store?.connect(),
    async dispose() {
      await dropRedisPrefix(keyPrefix);
      await store?.close();
    },
  };
}
