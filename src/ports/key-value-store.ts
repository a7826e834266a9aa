/**
 * Short-lived values with an expiry (login flows, pending changes, push transactions, locks).
 * Expiry follows the gateway's clock. Values share one key space with {@link RateCounter}s.
 */
export interface KeyValueStore {
  /** Stores a value with an expiry, replacing any earlier one. */
  put(key: string, value: string, ttlMs: number): Promise<void>;
  /** Stores a value only when the key is absent; true when stored (a lock, a first-use marker). */
  putIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Reads a stored value (null when absent or expired). */
  read(key: string): Promise<string | null>;
  /** Reads and deletes a value atomically (single use). */
  take(key: string): Promise<string | null>;
  /** Deletes values. */
  remove(...keys: string[]): Promise<void>;
}
