import cluster from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from './config/schema.ts';
import { redactConfig } from './config/load.ts';
import { createPool, migrate } from './adapters/pg/database.ts';
import { aggregateWorkerMetrics } from './metrics/cluster-metrics.ts';
import { createLogger, createRuntime, type GatewayRuntime, type RuntimeOptions } from './gateway-runtime.ts';

/** How long in-flight requests get to finish on SIGTERM before the process exits anyway. */
const shutdownGraceMs = 10_000;
/** A worker that dies is replaced after this pause (a crash loop must not spin). */
const respawnDelayMs = 1000;

/**
 * Starts the gateway, listens, and shuts down gracefully on SIGTERM/SIGINT. With
 * `cluster.workers` > 1 the first process only supervises that many workers (node:cluster,
 * sharing the port; sessions and their invalidation go through Redis, so they agree) and this
 * promise does not resolve there; each worker resolves with its own runtime.
 */
export async function serveGateway(config: Config, options: RuntimeOptions = {}): Promise<GatewayRuntime> {
  const log = options.log ?? createLogger(config);
  if (config.cluster.workers > 1 && cluster.isPrimary) return superviseWorkers(config, options, log);
  // A worker's supervisor has migrated the schema already (superviseWorkers).
  const runtime = await createRuntime(config, { ...options, log, migrated: cluster.isWorker });
  await runtime.app.listen({ host: config.listen.host, port: config.listen.port });
  if (cluster.isPrimary) log.info({ config: redactConfig(config) }, 'sekisho listening');
  else log.info({ worker: cluster.worker?.id }, 'sekisho worker listening');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    const force = setTimeout(() => process.exit(1), shutdownGraceMs);
    force.unref();
    void runtime.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return runtime;
}

async function superviseWorkers(config: Config, options: RuntimeOptions, log: Logger): Promise<never> {
  // Migrations run once here, so that the workers do not race each other over them.
  const databaseUrl = config.database.url ?? options.databaseUrl;
  if (databaseUrl) {
    const pool = createPool(databaseUrl, config.database.schema, 1);
    await migrate(pool, config.database.schema);
    await pool.end();
  }
  let stopping = false;
  aggregateWorkerMetrics();
  for (let i = 0; i < config.cluster.workers; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    log.error({ worker: worker.id, code, signal }, 'gateway worker died; starting another');
    setTimeout(() => cluster.fork(), respawnDelayMs);
  });
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down the workers');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    const force = setTimeout(() => process.exit(1), shutdownGraceMs + 2000);
    force.unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  log.info({ config: redactConfig(config), workers: config.cluster.workers }, 'sekisho listening (cluster)');
  return new Promise<never>(() => {});
}
