import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CounterTallies, HotHistogram } from './hot-metrics.ts';

const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const observations: Array<[string, string, number]> = [
  ['app', '200', 0.004],
  ['app', '200', 0.005],
  ['app', '200', 0.0051],
  ['app', '200', 0.3],
  ['app', '502', 31],
  ['hr', '200', 0.01],
  ['hr', '200', 2.5],
];

describe('HotHistogram', () => {
  it('exposes exactly what a prom-client Histogram exposes for the same observations', async () => {
    const hotRegistry = new Registry();
    const hot = new HotHistogram({
      name: 'latency_seconds',
      help: 'Latency',
      labelNames: ['backend', 'status'],
      buckets,
      registry: hotRegistry,
    });
    const referenceRegistry = new Registry();
    const reference = new Histogram({
      name: 'latency_seconds',
      help: 'Latency',
      labelNames: ['backend', 'status'],
      buckets,
      registers: [referenceRegistry],
    });
    for (const [backend, status, value] of observations) {
      hot.observe(hot.cell({ backend, status }), value);
      reference.observe({ backend, status }, value);
    }
    const exposed = await hotRegistry.metrics();
    expect(exposed).toBe(await referenceRegistry.metrics());
    expect(exposed).toContain('latency_seconds_bucket{le="0.005",backend="app",status="200"} 2');
    expect(exposed).toContain('latency_seconds_count{backend="app",status="502"} 1');
  });

  it('sums across cluster workers as prom-client aggregates them', async () => {
    const workers = [new Registry(), new Registry()];
    for (const [i, registry] of workers.entries()) {
      const hot = new HotHistogram({ name: 'h', help: 'h', labelNames: ['backend'], buckets, registry });
      hot.observe(hot.cell({ backend: 'app' }), 0.02);
      if (i === 1) hot.observe(hot.cell({ backend: 'app' }), 3);
    }
    const [json] = await workers[0]!.getMetricsAsJSON();
    expect(json).toMatchObject({ name: 'h', type: 'histogram', aggregator: 'sum' });
    const summed = AggregatorRegistry.aggregate(await Promise.all(workers.map((r) => r.getMetricsAsJSON())));
    const exposed = await summed.metrics();
    expect(exposed).toContain('h_bucket{le="0.025",backend="app"} 2');
    expect(exposed).toContain('h_bucket{le="2.5",backend="app"} 2');
    expect(exposed).toContain('h_bucket{le="+Inf",backend="app"} 3');
    expect(exposed).toContain('h_count{backend="app"} 3');
  });
});

describe('CounterTallies', () => {
  it('adds the pending counts to the counter when it is scraped, once', async () => {
    const registry = new Registry();
    const tallies: CounterTallies<'decision' | 'rule'> = new CounterTallies(() => counter);
    const counter: Counter<'decision' | 'rule'> = new Counter({
      name: 'decisions_total',
      help: 'Decisions',
      labelNames: ['decision', 'rule'],
      registers: [registry],
      collect: () => tallies.flush(),
    });
    const allow = tallies.tally({ decision: 'allow', rule: '/app/' });
    expect(tallies.tally({ decision: 'allow', rule: '/app/' })).toBe(allow);
    allow.pending += 3;
    counter.inc({ decision: 'allow', rule: '/app/' });
    counter.inc({ decision: 'forbidden', rule: '/app/' });
    expect(await registry.metrics()).toContain('decisions_total{decision="allow",rule="/app/"} 4');
    allow.pending++;
    const second = await registry.metrics();
    expect(second).toContain('decisions_total{decision="allow",rule="/app/"} 5');
    expect(second).toContain('decisions_total{decision="forbidden",rule="/app/"} 1');
  });
});
