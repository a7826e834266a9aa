import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Metric, MetricObjectWithValues, MetricValueWithName, Registry } from 'prom-client';

/** The quantiles exposed, over the window since the previous scrape. */
const QUANTILES = [0.5, 0.9, 0.99, 0.999, 1] as const;

export interface EventLoopDelayConfig {
  readonly name: string;
  readonly help: string;
  /** How often the event loop is sampled (ms): a timer this often, its lateness recorded. */
  readonly resolutionMs: number;
  readonly registry: Registry;
}

/**
 * How late the event loop ran (`perf_hooks.monitorEventLoopDelay`) as a Prometheus summary: the
 * quantiles of the window since the previous scrape (the histogram is reset at each scrape, so a
 * slow minute is not averaged away by a quiet hour), `_sum` and `_count` cumulative. A gateway
 * whose loop runs late answers every request late; this shows it before the users do.
 * In a cluster the supervisor reports the slowest worker (aggregator `max`).
 */
export class EventLoopDelaySummary {
  readonly name: string;
  readonly help: string;
  readonly type = 'summary';
  readonly aggregator = 'max';
  private readonly histogram: IntervalHistogram;
  /** The sampling interval (ns): the histogram records the time between samples, this included. */
  private readonly intervalNs: number;
  private sum = 0;
  private count = 0;

  constructor(config: EventLoopDelayConfig) {
    this.name = config.name;
    this.help = config.help;
    this.intervalNs = config.resolutionMs * 1e6;
    this.histogram = monitorEventLoopDelay({ resolution: config.resolutionMs });
    this.histogram.enable();
    config.registry.registerMetric(this as unknown as Metric);
  }

  /** Stops sampling (the timer is unreferenced, so a process may also simply exit). */
  stop(): void {
    this.histogram.disable();
  }

  async get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    const { histogram } = this;
    // An empty window reports zeros (the histogram's own empty values are NaN and 9.2e18).
    const empty = histogram.count === 0;
    const late = (ns: number) => (empty ? 0 : Math.max(0, ns - this.intervalNs) / 1e9);
    const values: MetricValueWithName<string>[] = QUANTILES.map((quantile) => ({
      metricName: this.name,
      labels: { quantile },
      value: late(quantile === 1 ? histogram.max : histogram.percentile(quantile * 100)),
    }));
    if (!empty) {
      this.sum += late(histogram.mean) * histogram.count;
      this.count += histogram.count;
    }
    histogram.reset();
    values.push({ metricName: `${this.name}_sum`, labels: {}, value: this.sum });
    values.push({ metricName: `${this.name}_count`, labels: {}, value: this.count });
    type Exposed = MetricObjectWithValues<MetricValueWithName<string>>;
    const type = this.type as unknown as Exposed['type'];
    return { name: this.name, help: this.help, type, values, aggregator: 'max', collect: () => undefined };
  }
}
