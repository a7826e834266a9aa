/**
 * Where @fastify/rate-limit keeps its counts when they are shared by every instance. The client
 * is opaque here so that ports do not depend on ioredis.
 */
export interface RateLimitBackend {
  /** An ioredis client, as the `redis` option of @fastify/rate-limit takes it. */
  readonly redis: unknown;
  /** The key prefix of the limiter's counters (the option `nameSpace`). */
  readonly nameSpace: string;
}

/**
 * The store's connection as the composition root sees it: health, loss, and what the rate
 * limiter shares. Asked once at start-up, so no code needs to know which adapter it holds.
 */
export interface StoreConnection {
  /** Which adapter this is; names the store in metrics. */
  readonly kind: 'redis' | 'memory';
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  /**
   * Calls `onLost` as soon as a connection to the store drops (the commands' or the one that
   * receives announcements), and on every later drop; never for the in-process store.
   */
  onConnectionLost(onLost: () => void): void;
  /** Calls `onError` for each error the connection reports on its own (failed reconnects), not a command's. */
  onError(onError: (error: Error) => void): void;
  /** The backend @fastify/rate-limit shares across instances, or null: it then counts in-process. */
  rateLimitBackend(): RateLimitBackend | null;
  /** Disconnects; subscriptions end. */
  close(): Promise<void>;
}
