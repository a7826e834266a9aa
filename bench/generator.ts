/**
 * The many-users load generator, over undici's `Pool#dispatch` with a raw handler; it runs in
 * its own process (generator-worker.ts, pinned by the parent to the generator's core).
 *
 * - Closed loop (`rate: null`): `connections` loops, each sending its next request when the
 *   previous one answered: the most a target does.
 * - Fixed rate (`rate`: requests per second): open loop. Request i is due at start + i / rate
 *   and is sent then whether or not earlier ones have answered (a request finding every
 *   connection busy waits in the pool's queue, and that wait counts), and its latency is measured
 *   from when it was due, not from when it was sent, so a stalled target cannot hide its stall
 *   by holding the generator back (coordinated omission). The loop runs on setImmediate (a timer
 *   would add up to a millisecond of its own to every figure); how late sends went out is
 *   reported as `sendLag` so the generator's own share can be read.
 *
 * Each request carries the next cookie of the list in turn (one session after another).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import { Latencies } from './latencies.ts';

export interface GeneratorOptions {
  /** `http://host:port` of the target. */
  readonly origin: string;
  /** Path and query every request asks for. */
  readonly path: string;
  /** Cookie header values, used in turn (one for the best case). */
  readonly cookies: readonly string[];
  readonly connections: number;
  readonly seconds: number;
  /** Requests per second (open loop), or null: closed loop. */
  readonly rate: number | null;
}

/** One run's outcome. Latencies in ms. */
export interface GeneratorResult {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  /** Socket errors, timeouts and answers other than 200. */
  readonly errors: number;
  /** Statuses other than 200, counted. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Fixed rate: how late the generator sent its requests, p99 and max (ms). */
  readonly sendLagP99: number;
  readonly sendLagMax: number;
}

/** A request still out after the window ends gets this long before it counts as an error. */
const drainMs = 10_000;

class Exchange implements Dispatcher.DispatchHandler {
  private status = 0;
  private readonly done: (status: number) => void;

  constructor(done: (status: number) => void) {
    this.done = done;
  }

  onRequestStart(): void {}

  onResponseStart(_c: Dispatcher.DispatchController, status: number, _h: IncomingHttpHeaders): void {
    this.status = status;
  }

  onResponseData(): void {}

  onResponseEnd(): void {
    this.done(this.status);
  }

  onResponseError(): void {
    this.done(0);
  }
}

export async function generate(options: GeneratorOptions): Promise<GeneratorResult> {
  const pool = new Pool(options.origin, {
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
  });
  const host = new URL(options.origin).host;
  const latencies = new Latencies();
  const lags = new Latencies();
  const statuses: Record<string, number> = {};
  let errors = 0;
  let outstanding = 0;
  let sent = 0;
  const start = performance.now();
  const end = start + options.seconds * 1000;
  /** Every request of the window has been sent (the closed loop: the window is over). */
  let allSent = false;
  let settle: () => void = () => {};
  const settled = new Promise<void>((resolve) => (settle = resolve));

  const send = (due: number) => {
    const cookie = options.cookies[sent % options.cookies.length] ?? '';
    sent++;
    outstanding++;
    const headers = ['host', host, 'cookie', cookie, 'accept', 'text/html'];
    pool.dispatch(
      { method: 'GET', path: options.path, headers },
      new Exchange((status) => {
        outstanding--;
        const now = performance.now();
        if (status === 200) latencies.add(now - due);
        else {
          errors++;
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
        if (options.rate === null) {
          if (now < end) send(now);
          else allSent = true;
        }
        if (allSent && outstanding === 0) settle();
      }),
    );
  };

  if (options.rate === null) {
    for (let c = 0; c < options.connections; c++) send(performance.now());
  } else {
    const interval = 1000 / options.rate;
    let next = 0;
    const tick = () => {
      const now = performance.now();
      for (let due = start + next * interval; due <= now && due < end; due = start + ++next * interval) {
        lags.add(now - due);
        send(due);
      }
      if (start + next * interval < end) return void setImmediate(tick);
      allSent = true;
      if (outstanding === 0) settle();
    };
    tick();
  }
  const drain = setTimeout(settle, options.seconds * 1000 + drainMs);
  await settled;
  clearTimeout(drain);
  const elapsed = (Math.min(performance.now(), end + drainMs) - start) / 1000;
  errors += outstanding;
  await pool.destroy();
  const completed = latencies.count;
  return {
    requests: completed,
    requestsPerSecond: completed / Math.max(elapsed, options.seconds),
    p50: latencies.percentile(50),
    p90: latencies.percentile(90),
    p99: latencies.percentile(99),
    p999: latencies.percentile(99.9),
    max: latencies.percentile(100),
    errors,
    statuses,
    sendLagP99: lags.percentile(99),
    sendLagMax: lags.percentile(100),
  };
}
