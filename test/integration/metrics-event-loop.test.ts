import type { AddressInfo } from 'node:net';
import { setImmediate as turn } from 'node:timers/promises';
import pino from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type GatewayRuntime } from '../../src/gateway-runtime.ts';
import { dropSchema, testConfig } from '../support/gateway.ts';
import { dropRedisPrefix } from '../support/redis.ts';

/**
 * A slow gateway shows on /_sekisho/metrics before users complain: the event-loop delay summary
 * (the window since the previous scrape) and GC pauses, on a real gateway as `sekisho serve`
 * builds it (with the process metrics, which the other tests leave off).
 */
describe('event-loop delay and GC pause metrics', () => {
  const config = testConfig({});
  let runtime: GatewayRuntime;
  let url: string;

  beforeAll(async () => {
    runtime = await createRuntime(config, { log: pino({ level: 'silent' }), processMetrics: true });
    await runtime.app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(runtime.app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    runtime.gateway.metrics.eventLoopDelay?.stop();
    await runtime.close();
    await dropSchema(config.database.schema);
    await dropRedisPrefix(config.redis.keyPrefix);
  });

  async function scrape(): Promise<string> {
    const answer = await request(`${url}/_sekisho/metrics`);
    expect(answer.statusCode).toBe(200);
    return answer.body.text();
  }

  /** The value of one exposed sample, e.g. `name{quantile="1"}`. */
  function value(text: string, sample: string): number {
    const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
    expect(line, sample).toBeDefined();
    return Number(line?.slice(sample.length + 1));
  }

  /** Holds the event loop for `ms` of real CPU time, as a slow request handler would. */
  function blockFor(ms: number): void {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // spinning: the delay being measured
    }
  }

  it('exposes the worst delay of the window since the last scrape, then starts a new window', async () => {
    await scrape();
    const before = value(await scrape(), 'sekisho_event_loop_delay_seconds_count');
    // Let the 10 ms sampling timer fire a few times, then hold the loop for 80 ms.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 12));
    blockFor(80);
    await turn();
    const slow = await scrape();
    expect(slow).toContain('# TYPE sekisho_event_loop_delay_seconds summary');
    expect(value(slow, 'sekisho_event_loop_delay_seconds{quantile="1"}')).toBeGreaterThanOrEqual(0.06);
    // Lateness, not the sampling interval (10 ms) plus lateness.
    expect(value(slow, 'sekisho_event_loop_delay_seconds{quantile="0.5"}')).toBeLessThan(0.008);
    expect(value(slow, 'sekisho_event_loop_delay_seconds_count')).toBeGreaterThan(before);
    expect(value(slow, 'sekisho_event_loop_delay_seconds_sum')).toBeGreaterThanOrEqual(0.06);

    // The 80 ms belonged to the previous window.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 12));
    const next = await scrape();
    expect(value(next, 'sekisho_event_loop_delay_seconds{quantile="1"}')).toBeLessThan(0.06);
    expect(value(next, 'sekisho_event_loop_delay_seconds_sum')).toBeGreaterThanOrEqual(
      value(slow, 'sekisho_event_loop_delay_seconds_sum'),
    );
  });

  it('exposes GC pauses by kind, in buckets fine enough for a scavenge', async () => {
    let kept: number[][] = [];
    // Enough short-lived garbage for several scavenges of the young generation.
    for (let i = 0; i < 400_000; i++) {
      kept.push([i, i + 1]);
      if (kept.length > 1000) kept = [];
    }
    // GC entries reach prom-client's observer asynchronously.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = await scrape();
    expect(text).toContain('# TYPE sekisho_nodejs_gc_duration_seconds histogram');
    expect(value(text, 'sekisho_nodejs_gc_duration_seconds_count{kind="minor"}')).toBeGreaterThan(0);
    expect(text).toMatch(/sekisho_nodejs_gc_duration_seconds_bucket\{le="0\.0005",kind="minor"\} \d+/);
  });
});
