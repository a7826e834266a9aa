/**
 * Fixed-window counters (send caps, push bombing, callback failures). A counter and a value of
 * the {@link KeyValueStore} live in one key space: give them distinct keys.
 */
export interface RateCounter {
  /** Adds one to a fixed-window counter and returns the new count; the window starts at the first hit. */
  hit(key: string, windowMs: number): Promise<number>;
  /** Reads a counter without changing it (0 when absent or its window is over). */
  peek(key: string): Promise<number>;
  /** Deletes counters. */
  reset(...keys: string[]): Promise<void>;
}
