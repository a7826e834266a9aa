import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { request } from 'undici';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { connectionOptions } from '../../src/adapters/pg/database.ts';
import type { AdminService } from '../../src/core/admin-service.ts';
import { createAdmin, createLogger, createRuntime, type GatewayRuntime } from '../../src/gateway-runtime.ts';
import pino from 'pino';
import type { Clock } from '../../src/ports/clock.ts';
import { databaseUrl, redisUrl, uniqueName } from './env.ts';
import { dropRedisPrefix } from './redis.ts';

export const testSecret = 'test-secret-0123456789-abcdefghijklmnop';

/** A gateway built the way the product builds it, listening or not (see test-app.ts). */
export interface TestRuntime {
  readonly runtime: GatewayRuntime;
  readonly admin: AdminService;
  readonly config: Config;
  /** Stops it; the owner of the schema and key prefix (not a `sharedWith` instance) drops them. */
  close(): Promise<void>;
}

/** A test gateway listening on a real port. */
export interface TestGateway extends TestRuntime {
  readonly url: string;
}

export interface GatewayOptions {
  /** Config overrides (deep-merged). */
  readonly config?: Record<string, unknown>;
  readonly clock?: Clock;
  /** Share another test gateway's schema and key prefix (a second instance). */
  readonly sharedWith?: TestRuntime;
  /** Receives the gateway's log lines (the product's own logger, at level info). */
  readonly logLines?: string[];
  /** The environment the config loader reads (`REDIS_URL_FILE`, …); none by default. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Builds a config the way the product does (loadConfig), pointed at a fresh schema and prefix. */
export function testConfig(
  overrides: Record<string, unknown>,
  shared?: TestRuntime,
  env: NodeJS.ProcessEnv = {},
): Config {
  const schema = shared?.config.database.schema ?? uniqueName('db');
  const keyPrefix = shared?.config.redis.keyPrefix ?? `${uniqueName('kv')}:`;
  const result = loadConfig({
    env,
    overrides: {
      listen: { host: '127.0.0.1', port: 0 },
      publicUrl: 'http://127.0.0.1:8080',
      database: { url: databaseUrl, schema, poolSize: 4 },
      redis: { url: redisUrl, keyPrefix },
      secret: testSecret,
      // The production level: code that runs only when a request is logged runs in every test.
      log: { level: process.env.SEKISHO_TEST_LOG ?? 'info' },
      rules: { pollIntervalMs: 200 },
      ...overrides,
    },
  });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

/** A real gateway on a real port, against real Postgres and Redis, in its own schema and prefix. */
export async function startGateway(options: GatewayOptions = {}): Promise<TestGateway> {
  const test = await createTestRuntime(options);
  const { app } = test.runtime;
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { ...test, url: `http://127.0.0.1:${port}` };
}

/**
 * The gateway as `sekisho serve` builds it (`createRuntime`: migrations, store, rules, `buildApp`)
 * against real Postgres and Redis, in its own schema and prefix; it does not listen.
 */
export async function createTestRuntime(options: GatewayOptions = {}): Promise<TestRuntime> {
  const config = testConfig(options.config ?? {}, options.sharedWith, options.env);
  const lines = options.logLines;
  // Every test gateway logs through the product's own logger; the lines are kept when asked
  // for, else dropped (SEKISHO_TEST_LOG=debug shows them on stdout).
  const log = lines
    ? createLogger({ ...config, log: { level: 'info' } }, { write: (line: string) => void lines.push(line) })
    : process.env.SEKISHO_TEST_LOG
      ? pino({ level: config.log.level })
      : createLogger(config, { write: () => undefined });
  const runtime = await createRuntime(config, { clock: options.clock, log, processMetrics: false });
  const admin = createAdmin(runtime.gateway);
  const owner = !options.sharedWith;
  return {
    runtime,
    admin,
    config,
    close: async () => {
      await runtime.close();
      if (owner) await dropTestData(config);
    },
  };
}

async function dropTestData(config: Config): Promise<void> {
  await dropSchema(config.database.schema);
  await dropRedisPrefix(config.redis.keyPrefix);
}

/** Drops a test's own Postgres schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client(connectionOptions(databaseUrl));
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Sets rules through the same service the CLI uses, then applies them at once. Names the auth DB
 * does not know are allowed (the CLI's `--allow-unknown`): tests set rules before, or without,
 * creating the users and groups they name.
 */
export async function setRules(gw: TestRuntime, ...lines: string[]): Promise<void> {
  for (const line of lines) await gw.admin.setRule(line, 'test', { unknownPrincipals: 'allow' });
  await gw.runtime.watcher.poll();
}

export async function addUser(
  gw: TestRuntime,
  id: string,
  options: { password?: string; groups?: string[]; phone?: string } = {},
): Promise<string> {
  const password = options.password ?? `pw-${randomBytes(6).toString('hex')}`;
  for (const group of options.groups ?? []) {
    await gw.admin.addGroup(group, 'test').catch(() => {});
  }
  await gw.admin.addUser({ id, password, groups: options.groups, phone: options.phone }, 'test');
  return password;
}

export { request };
