import type { Counter, Metric, MetricObjectWithValues, MetricValueWithName, Registry } from 'prom-client';

/**
 * Metrics on the proxied hot path, where prom-client would hash the label set on every call.
 * Callers look a cell up once per label set and then only add to plain numbers; prom-client
 * sees the sums when it is scraped.
 */

/** One label set's pending count of a {@link CounterTallies}. */
export interface Tally {
  pending: number;
}

/**
 * Counts for a prom-client counter, kept as plain numbers and added to the counter when it
 * collects (pass `collect: () => tallies.flush()` to the counter).
 */
export class CounterTallies<L extends string> {
  private readonly counter: () => Counter<L>;
  private readonly tallies = new Map<string, { labels: Record<L, string>; tally: Tally }>();

  constructor(counter: () => Counter<L>) {
    this.counter = counter;
  }

  /** The tally of one label set; keep it and add to `pending`. */
  tally(labels: Record<L, string>): Tally {
    const key = JSON.stringify(labels);
    let entry = this.tallies.get(key);
    if (!entry) this.tallies.set(key, (entry = { labels, tally: { pending: 0 } }));
    return entry.tally;
  }

  flush(): void {
    for (const { labels, tally } of this.tallies.values()) {
      if (tally.pending === 0) continue;
      this.counter().inc(labels as Partial<Record<L, string>>, tally.pending);
      tally.pending = 0;
    }
  }
}

/** One label set of a {@link HotHistogram}. */
export interface HistogramCell {
  readonly labels: Readonly<Record<string, string>>;
  /** Observations per bucket (not cumulative); the last one is `+Inf`. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

export interface HotHistogramConfig<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  /** Upper bounds, ascending. */
  readonly buckets: readonly number[];
  readonly registry: Registry;
}

/**
 * A Prometheus histogram with the exposition of prom-client's own (`_bucket` with `le`,
 * `_sum`, `_count`; summed across cluster workers), registered in the same registry.
 */
export class HotHistogram<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly labelNames: readonly L[];
  private readonly bounds: readonly number[];
  private readonly cells = new Map<string, HistogramCell>();

  constructor(config: HotHistogramConfig<L>) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames;
    this.bounds = config.buckets;
    config.registry.registerMetric(this as unknown as Metric);
  }

  /** The cell of one label set; keep it and pass it to {@link observe}. */
  cell(labels: Record<L, string>): HistogramCell {
    const key = this.labelNames.map((name) => labels[name]).join('\u0000');
    let cell = this.cells.get(key);
    if (!cell) {
      const counts = new Float64Array(this.bounds.length + 1);
      this.cells.set(key, (cell = { labels: { ...labels }, counts, sum: 0, count: 0 }));
    }
    return cell;
  }

  observe(cell: HistogramCell, value: number): void {
    const bounds = this.bounds;
    let bucket = 0;
    while (bucket < bounds.length && value > (bounds[bucket] as number)) bucket++;
    cell.counts[bucket] = (cell.counts[bucket] ?? 0) + 1;
    cell.sum += value;
    cell.count++;
  }

  /** Zeroes every cell in place: callers keep their cells, which must stay the exposed ones. */
  reset(): void {
    for (const cell of this.cells.values()) {
      cell.counts.fill(0);
      cell.sum = 0;
      cell.count = 0;
    }
  }

  async get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    const values: MetricValueWithName<string>[] = [];
    for (const cell of this.cells.values()) {
      let cumulative = 0;
      for (let bucket = 0; bucket <= this.bounds.length; bucket++) {
        cumulative += cell.counts[bucket] ?? 0;
        const le = bucket < this.bounds.length ? (this.bounds[bucket] as number) : '+Inf';
        values.push({ metricName: `${this.name}_bucket`, labels: { le, ...cell.labels }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: cell.labels, value: cell.sum });
      values.push({ metricName: `${this.name}_count`, labels: cell.labels, value: cell.count });
    }
    type Exposed = MetricObjectWithValues<MetricValueWithName<string>>;
    const type = this.type as unknown as Exposed['type'];
    return { name: this.name, help: this.help, type, values, aggregator: 'sum', collect: () => undefined };
  }
}
