import { Redis, type RedisOptions } from 'ioredis';
import { SekishoError } from '../../domain/errors.ts';

export interface RedisStoreOptions {
  readonly url?: string;
  readonly keyPrefix: string;
  readonly commandTimeoutMs: number;
  readonly sentinels?: readonly { host: string; port: number }[];
  readonly sentinelName?: string;
  /** How long {@link connectRedis} waits for Redis (through the sentinels) before it gives up. */
  readonly startupTimeoutMs?: number;
}

/**
 * An ioredis client that connects only when asked. The offline queue is off so that an
 * unreachable Redis fails a request at once (503) instead of holding it.
 */
export function createRedisClient(options: RedisStoreOptions): Redis {
  return new Redis(options.url ?? 'redis://127.0.0.1:6379', clientOptions(options));
}

/**
 * Connects, or throws SEKISHO_ERR_STORE_UNAVAILABLE and stops retrying. ioredis rejects with
 * only "Connection is closed." and keeps reconnecting, which would hide the cause (WRONGPASS,
 * ECONNREFUSED) and keep a failed start-up alive; the first error it reported is the cause.
 */
export async function connectRedis(client: Redis, options: RedisStoreOptions): Promise<void> {
  const source = options.sentinels?.length ? 'redis.sentinels' : 'redis.url';
  const startupTimeoutMs = options.startupTimeoutMs ?? 15_000;
  let cause: unknown;
  const noteCause = (error: Error) => void (cause ??= error);
  client.on('error', noteCause);
  // With sentinels of which none answers, ioredis keeps asking them and never settles.
  let deadline: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    deadline = setTimeout(() => {
      const seconds = startupTimeoutMs / 1000;
      reject(new Error(cause instanceof Error ? cause.message : `no answer within ${seconds} s`));
    }, startupTimeoutMs);
  });
  try {
    await Promise.race([client.connect(), late]);
  } catch (error) {
    client.disconnect();
    cause ??= error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    const hint = /WRONGPASS|NOAUTH/.test(reason)
      ? '; the password is the one in redis.url (REDIS_URL or REDIS_URL_FILE)'
      : '';
    throw new SekishoError(
      'SEKISHO_ERR_STORE_UNAVAILABLE',
      `${source}: cannot connect to Redis (${reason})${hint}`,
      {
        cause,
      },
    );
  } finally {
    clearTimeout(deadline);
    client.off('error', noteCause);
  }
}

function clientOptions(options: RedisStoreOptions): RedisOptions {
  const common: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: Math.max(options.commandTimeoutMs, 2000),
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
  if (!options.sentinels?.length) return common;
  return {
    ...common,
    sentinels: [...options.sentinels],
    name: options.sentinelName ?? 'mymaster',
    // Reconnect as soon as a sentinel announces a new primary (+switch-master). Otherwise the
    // client stays on the old primary until Sentinel demotes it (about 10 s later), and every
    // write in between — sessions, logouts, lockout counts — is lost in the resync.
    failoverDetector: true,
  };
}
