/**
 * The gateway under test, in its own process so that it can be pinned to one core and
 * profiled: the real runtime (createRuntime, with the process metrics as `sekisho serve` has
 * them) against real Postgres and Redis, in its own schema and key prefix, with one backend
 * `app`, its rules and one user (the many-users suite adds its data from another process and
 * sends `reload`). Dropped on `stop`.
 * Usage: gateway-server.ts <json options>
 */
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { keepTickObjectShape } from '../src/tick-shape.ts';

// As `sekisho serve` does, before the gateway's code is loaded (src/cli/main.ts).
await keepTickObjectShape();
const { loadConfig } = await import('../src/config/load.ts');
const { createAdmin, createRuntime } = await import('../src/gateway-runtime.ts');
const { tuneGarbageCollector } = await import('../src/heap-tuning.ts');
const { dropKeys, dropSchemas } = await import('./drop-data.ts');
const { answerProfileCommands } = await import('./inspector-profile.ts');

export interface BenchGatewayOptions {
  readonly backendUrl: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly schema: string;
  readonly keyPrefix: string;
  readonly user: string;
  readonly password: string;
  /** Extra config overrides (deep-merged by loadConfig). */
  readonly config?: Record<string, unknown>;
  /** Another gateway set the schema up (rules, the user): this one adds nothing, as a second instance. */
  readonly attach?: boolean;
  /** Leave the schema and keys when stopping (the harness drops them at its end). */
  readonly keepData?: boolean;
}

const options = JSON.parse(process.argv[2] ?? '{}') as BenchGatewayOptions;
const loaded = loadConfig({
  env: {},
  overrides: {
    listen: { host: '127.0.0.1', port: 0 },
    publicUrl: 'http://127.0.0.1:8080',
    database: { url: options.databaseUrl, schema: options.schema, poolSize: 4 },
    redis: { url: options.redisUrl, keyPrefix: options.keyPrefix },
    secret: 'bench-secret-0123456789-abcdefghijklmnop',
    log: { level: 'warn' },
    backends: { app: { url: options.backendUrl } },
    // Logins per second are measured from one address.
    password: { ipMaxAttempts: 100_000, ipWindowSeconds: 1 },
    ...options.config,
  },
});
if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
const config = loaded.config;
// As `sekisho serve` runs it.
tuneGarbageCollector();
const runtime = await createRuntime(config, { processMetrics: true });
const admin = createAdmin(runtime.gateway);
if (!options.attach) {
  await admin.setRule('/app/=ALL;;', 'bench');
  await admin.setRule('/app/open/=ALL;;BYPASS', 'bench');
  await admin.addUser({ id: options.user, password: options.password }, 'bench');
}
await runtime.watcher.poll();
await runtime.app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ port: (runtime.app.server.address() as AddressInfo).port });

async function dropData(): Promise<void> {
  await dropSchemas(options.databaseUrl, [options.schema]);
  await dropKeys(options.redisUrl, [options.keyPrefix]);
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await runtime.close();
  if (!options.keepData && !options.attach) await dropData();
  process.exit(0);
}

/**
 * A full garbage collection, as V8's memory reducer would run some time after a burst (the
 * many-users suite's thousand logins) when the load no longer fills the old generation.
 */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

process.on('message', (message) => {
  const { cmd } = message as { cmd?: string };
  if (cmd === 'stop') void stop();
  if (cmd === 'reload') void runtime.watcher.poll().then(() => process.send?.({ done: 'reload' }));
  if (cmd === 'gc') {
    collectGarbage();
    process.send?.({ done: 'gc' });
  }
  if (cmd === 'memory')
    process.send?.({
      done: 'memory',
      usage: process.memoryUsage(),
      spaces: v8
        .getHeapSpaceStatistics()
        .map((s) => [s.space_name, Math.round(s.physical_space_size / 1048576)]),
    });
});
answerProfileCommands();
process.on('disconnect', () => void stop());
