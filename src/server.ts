import cluster from 'node:cluster';
import { createServer } from 'node:net';
import type { Logger } from 'pino';
import { SekishoError } from './domain/errors.ts';
import type { Config } from './config/schema.ts';
import { redactConfig } from './config/load.ts';
import { createPool, migrate } from './adapters/pg/database.ts';
import { aggregateWorkerMetrics } from './metrics/cluster-metrics.ts';
import { createLogger, createRuntime, type GatewayRuntime, type RuntimeOptions } from './gateway-runtime.ts';
import { tuneGarbageCollector } from './heap-tuning.ts';

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
  // A taken port is said at once, before connecting anything; a cluster would fail every worker
  // alike. The listen below still catches a port taken in between.
  if (cluster.isPrimary && config.listen.port !== 0) await ensurePortFree(config);
  if (config.cluster.workers > 1 && cluster.isPrimary) return superviseWorkers(config, options, log);
  tuneGarbageCollector();
  // A worker's supervisor has migrated the schema already (superviseWorkers).
  const runtime = await createRuntime(config, { ...options, log, migrated: cluster.isWorker });
  // Closed once, whoever asks first: a signal during a caller's close (or the reverse) waits for
  // the same close rather than ending the database pool a second time, which fails.
  let closing: Promise<void> | undefined;
  const closeOnce = () => (closing ??= runtime.close());
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    const force = setTimeout(() => process.exit(1), shutdownGraceMs);
    force.unref();
    // The listeners stay until the process is gone: npm forwards Ctrl+C a moment after the
    // terminal did, and a signal with no listener left would kill the process before its exit
    // listeners (the demo's state file) run.
    void closeOnce()
      .then(
        () => 0,
        (error: unknown) => {
          log.error({ err: error }, 'shutdown: closing failed');
          return 1;
        },
      )
      .then((code) => {
        clearTimeout(force);
        process.exit(code);
      });
  };
  // Listened for before the port opens: a signal the moment it is open (a supervisor that saw it
  // listening) must find the graceful stop, not the default action.
  const ignoreSignals = onStopSignals(stop);
  try {
    await runtime.app.listen({ host: config.listen.host, port: config.listen.port });
  } catch (error) {
    // Nothing may keep the process alive after this: the CLI prints one line and exits 1. (A
    // signal's stop, if one came meanwhile, closes the same runtime and exits first.)
    if (!stopping) ignoreSignals();
    await closeOnce();
    throw listenError(config, error);
  }
  if (cluster.isPrimary) log.info({ config: redactConfig(config) }, 'sekisho listening');
  else log.info({ worker: cluster.worker?.id }, 'sekisho worker listening');
  // Closed by its caller rather than a signal (a process that starts and stops the gateway more
  // than once), it keeps no listener; they go only once the close ends, so that a signal during
  // the close is still caught.
  const served: GatewayRuntime = {
    ...runtime,
    close: () => closeOnce().finally(ignoreSignals),
  };
  return served;
}

/**
 * Calls `stop` on SIGTERM and SIGINT until the function it returns is called. `on`, not `once`:
 * Ctrl+C in a terminal running `npm start` signals the whole group and npm forwards it too; a
 * second SIGINT must not take the default action (exit without cleanup).
 */
function onStopSignals(stop: (signal: NodeJS.Signals) => void): () => void {
  const signals = ['SIGTERM', 'SIGINT'] as const;
  for (const signal of signals) process.on(signal, stop);
  return () => {
    for (const signal of signals) process.off(signal, stop);
  };
}

/**
 * Why the gateway cannot listen, in one line naming the address and what to do. Anything other
 * than the usual three is passed on as it came.
 */
export function listenError(config: Config, error: unknown): unknown {
  const { host, port } = config.listen;
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const reasons: Record<string, string> = {
    EADDRINUSE: `${address} is already in use (another Sekisho, or another program, listens there): stop it, or choose another port with PORT=… or listen.port (PORT=0 takes any free port)`,
    EACCES: `${address}: permission denied (ports below 1024 need privileges): choose a port above 1023 with PORT=… or listen.port`,
    EADDRNOTAVAIL: `${address}: ${host} is not an address of this machine: set listen.host to one of its addresses, or 0.0.0.0`,
  };
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const reason = code === undefined ? undefined : reasons[code];
  return reason ? new SekishoError('SEKISHO_ERR_CONFIG', `listen: ${reason}`, { cause: error }) : error;
}

/** Fails, as {@link listenError} says, when the port cannot be listened on: before anything starts. */
export function ensurePortFree(config: Config): Promise<void> {
  const { host, port } = config.listen;
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => reject(listenError(config, error)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
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
  let exitCode = 0;
  let started = false;
  aggregateWorkerMetrics();
  for (let i = 0; i < config.cluster.workers; i++) cluster.fork();
  cluster.once('listening', () => (started = true));
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      // A worker whose close failed or ran out of time makes the whole stop unclean.
      if (code !== 0 || signal !== null) exitCode = 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
      return;
    }
    if (!started) {
      // A worker died before any listened (its one line is on stderr): the next would too.
      log.error({ worker: worker.id, code, signal }, 'gateway worker failed to start; stopping');
      exitCode = 1;
      return stop('startup failure');
    }
    log.error({ worker: worker.id, code, signal }, 'gateway worker died; starting another');
    // Not once a stop has begun: a worker forked then would never be told to stop.
    setTimeout(() => {
      if (!stopping) cluster.fork();
    }, respawnDelayMs);
  });
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down the workers');
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    const force = setTimeout(() => process.exit(1), shutdownGraceMs + 2000);
    force.unref();
  };
  // The supervisor runs until the process exits: its listeners are never taken back.
  onStopSignals(stop);
  log.info({ config: redactConfig(config), workers: config.cluster.workers }, 'sekisho listening (cluster)');
  return new Promise<never>(() => {});
}
