import type { Config } from './config/schema.ts';
import { redactConfig } from './config/load.ts';
import { createLogger, createRuntime, type GatewayRuntime, type RuntimeOptions } from './gateway-runtime.ts';

/** How long in-flight requests get to finish on SIGTERM before the process exits anyway. */
const shutdownGraceMs = 10_000;

/** Starts the gateway, listens, and shuts down gracefully on SIGTERM/SIGINT. */
export async function serveGateway(config: Config, options: RuntimeOptions = {}): Promise<GatewayRuntime> {
  const log = options.log ?? createLogger(config);
  const runtime = await createRuntime(config, { ...options, log });
  await runtime.app.listen({ host: config.listen.host, port: config.listen.port });
  log.info({ config: redactConfig(config) }, 'sekisho listening');
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
