import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The gateway's Prometheus metrics, in a registry of its own (one per app instance). */
export interface GatewayMetrics {
  readonly registry: Registry;
  readonly logins: Counter<'method' | 'outcome'>;
  readonly decisions: Counter<'decision' | 'rule'>;
  readonly upstream: Histogram<'backend' | 'status'>;
  readonly storeErrors: Counter<'store'>;
}

export function createMetrics(withDefaults: boolean): GatewayMetrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'sekisho_' });
  return {
    registry,
    logins: new Counter({
      name: 'sekisho_logins_total',
      help: 'Authentication steps by method and outcome',
      labelNames: ['method', 'outcome'],
      registers: [registry],
    }),
    decisions: new Counter({
      name: 'sekisho_access_decisions_total',
      help: 'Access decisions on proxied paths, by rule prefix (denials by rule)',
      labelNames: ['decision', 'rule'],
      registers: [registry],
    }),
    upstream: new Histogram({
      name: 'sekisho_upstream_seconds',
      help: 'Time to the upstream response headers, per backend',
      labelNames: ['backend', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    storeErrors: new Counter({
      name: 'sekisho_store_errors_total',
      help: 'Errors talking to Redis or Postgres',
      labelNames: ['store'],
      registers: [registry],
    }),
  };
}
