/**
 * Every latency of a run, kept exactly (a growing Float64Array) and sorted once when read: a
 * run of the benchmark is at most a few hundred thousand requests, so no HDR histogram's
 * rounding is needed.
 */
export class Latencies {
  private values = new Float64Array(1 << 16);
  private size = 0;
  private sorted = true;

  get count(): number {
    return this.size;
  }

  add(ms: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = ms;
    this.sorted = false;
  }

  /** The nearest-rank percentile (0 < p ≤ 100); NaN when empty. */
  percentile(p: number): number {
    if (this.size === 0) return Number.NaN;
    if (!this.sorted) {
      this.values.subarray(0, this.size).sort();
      this.sorted = true;
    }
    const rank = Math.min(this.size, Math.max(1, Math.ceil((p * this.size) / 100 - 1e-9)));
    return this.values[rank - 1] ?? Number.NaN;
  }
}
