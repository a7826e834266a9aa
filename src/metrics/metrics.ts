import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import type { StoreConnection } from '../ports/store-connection.ts';
import { EventLoopDelaySummary } from './event-loop-delay.ts';
import { CounterTallies, HotHistogram } from './hot-metrics.ts';

/**
 * GC pauses in seconds: a scavenge takes about a millisecond and a full mark-compact tens, so the
 * buckets are finer than prom-client's default (1 ms, 10 ms, 100 ms, 1 s, …).
 */
const GC_PAUSE_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** The gateway's Prometheus metrics, in a registry of its own (one per app instance). */
export interface GatewayMetrics {
  readonly registry: Registry;
  readonly logins: Counter<'method' | 'outcome'>;
  readonly decisions: Counter<'decision' | 'rule'>;
  /** Allowed and BYPASS decisions on the lean path, added to `decisions` when scraped. */
  readonly decisionTallies: CounterTallies<'decision' | 'rule'>;
  readonly upstream: HotHistogram<'backend' | 'status'>;
  /** `store`: `session` (a session read failed), `redis` (client errors), `postgres` (queries, audit writes). */
  readonly storeErrors: Counter<'store'>;
  /** Every audit event, by name and outcome (bounded: event names are fixed in the code). */
  readonly auditEvents: Counter<'event' | 'outcome'>;
  /** SMS sends per provider asked (`none` when refused before any provider) and outcome. */
  readonly smsSends: Counter<'provider' | 'outcome'>;
  /** Push service events (`push.<outcome>`): sent, approved, denied, wrong_number, busy, … */
  readonly pushOutcomes: Counter<'outcome'>;
  /** Requests answered 5xx by an unexpected error (a bug), by where it was caught: `lean`, `fastify`. */
  readonly requestErrors: Counter<'where'>;
  /** How late the event loop runs (with the process metrics only; null without them). */
  readonly eventLoopDelay: EventLoopDelaySummary | null;
}

/**
 * The gateway's metrics. `withDefaults`: also the process's own — prom-client's default collectors
 * (CPU, memory, handles, GC pauses as `sekisho_nodejs_gc_duration_seconds`, …) and the event-loop
 * delay summary — which sample the whole process, so one set per process.
 */
export function createMetrics(withDefaults: boolean): GatewayMetrics {
  const registry = new Registry();
  if (withDefaults)
    collectDefaultMetrics({ register: registry, prefix: 'sekisho_', gcDurationBuckets: GC_PAUSE_BUCKETS });
  const eventLoopDelay = withDefaults
    ? new EventLoopDelaySummary({
        name: 'sekisho_event_loop_delay_seconds',
        help: 'How late the event loop ran, quantiles over the window since the previous scrape',
        resolutionMs: 10,
        registry,
      })
    : null;
  const counter = <L extends string>(name: string, help: string, labelNames: L[], collect?: () => void) =>
    new Counter<L>({ name, help, labelNames, registers: [registry], ...(collect ? { collect } : {}) });
  const decisionTallies: CounterTallies<'decision' | 'rule'> = new CounterTallies(() => decisions);
  const decisions: Counter<'decision' | 'rule'> = counter(
    'sekisho_access_decisions_total',
    'Access decisions on proxied paths, by rule prefix (denials by rule)',
    ['decision', 'rule'],
    () => decisionTallies.flush(),
  );
  return {
    registry,
    logins: counter('sekisho_logins_total', 'Authentication steps by method and outcome', [
      'method',
      'outcome',
    ]),
    decisions,
    decisionTallies,
    upstream: new HotHistogram({
      name: 'sekisho_upstream_seconds',
      help: 'Time from the request until its proxied response is complete, per backend and status',
      labelNames: ['backend', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registry,
    }),
    storeErrors: counter('sekisho_store_errors_total', 'Errors talking to Redis or Postgres', ['store']),
    auditEvents: counter('sekisho_audit_events_total', 'Audit events by event name and outcome', [
      'event',
      'outcome',
    ]),
    smsSends: counter('sekisho_sms_sends_total', 'SMS send attempts by provider and outcome', [
      'provider',
      'outcome',
    ]),
    pushOutcomes: counter('sekisho_push_outcomes_total', 'Push service events by outcome', ['outcome']),
    requestErrors: counter(
      'sekisho_request_errors_total',
      'Requests that failed on an unexpected error (answered 5xx, the process kept running)',
      ['where'],
    ),
    eventLoopDelay,
  };
}

/** Something that reports connection-level errors as `error` events (a pg pool). */
interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Counts the errors the Postgres pool and the store's connection report on their own (lost idle
 * connections, failed reconnects), besides the ones a request or an audit write runs into.
 */
export function countStoreErrors(
  metrics: GatewayMetrics,
  postgres: ErrorEmitter,
  store: Pick<StoreConnection, 'kind' | 'onError'>,
) {
  postgres.on('error', () => metrics.storeErrors.inc({ store: 'postgres' }));
  store.onError(() => metrics.storeErrors.inc({ store: store.kind }));
}

/** Wraps a readiness probe so that each failure also counts as an error of `store`. */
export function countedProbe(metrics: GatewayMetrics, store: string, check: () => Promise<void>) {
  return async () => {
    try {
      await check();
    } catch (error) {
      metrics.storeErrors.inc({ store });
      throw error;
    }
  };
}
