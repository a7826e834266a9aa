/**
 * The checks that need the outside world: can this configuration reach its Postgres (migrated,
 * with rules that parse) and its Redis? Each answers findings; nothing is changed anywhere.
 */
import { createPool } from '../adapters/pg/database.ts';
import { PgRuleRepository } from '../adapters/pg/pg-rule-repository.ts';
import { PgUserRepository } from '../adapters/pg/pg-user-repository.ts';
import type { KnownPrincipals } from '../domain/rules/principal-check.ts';
import { RedisStore } from '../adapters/redis/redis-store.ts';
import type { Config } from '../config/schema.ts';
import { systemClock } from '../ports/clock.ts';
import type { Finding } from './types.ts';

const PROBE_TIMEOUT_MS = 5000;

export interface PostgresProbe {
  readonly findings: Finding[];
  /** The stored rule lines, or null when they could not be read. */
  readonly ruleLines: string[] | null;
  /** The user IDs and group names the auth DB holds, for the rules' principal check. */
  readonly principals: KnownPrincipals | null;
}

export async function probePostgres(config: Config): Promise<PostgresProbe> {
  if (!config.database.url) return { findings: [], ruleLines: null, principals: null };
  const pool = createPool(config.database.url, config.database.schema, 1);
  try {
    await withTimeout(pool.query('SELECT 1'), 'no answer');
    const migrated = await pool.query<{ ok: boolean }>(
      "SELECT to_regclass('access_rules') IS NOT NULL AS ok",
    );
    if (!migrated.rows[0]?.ok) {
      const finding: Finding = {
        id: 'database-not-migrated',
        severity: 'high',
        subject: 'database',
        message: `schema ${config.database.schema} has no Sekisho tables`,
        fix: 'run `sekisho migrate` with this config',
      };
      return { findings: [finding], ruleLines: null, principals: null };
    }
    const rules = await new PgRuleRepository(pool).list();
    const users = new PgUserRepository(pool);
    const principals = {
      users: (await users.list()).map((u) => u.id),
      groups: (await users.listGroups()).map((g) => g.name),
    };
    return { findings: [], ruleLines: rules.map((r) => r.line), principals };
  } catch (error) {
    return { findings: [unreachable('postgres', 'database.url', error)], ruleLines: null, principals: null };
  } finally {
    await pool.end().catch(() => {});
  }
}

export async function probeRedis(config: Config): Promise<Finding[]> {
  const { redis } = config;
  if (!redis.url && !redis.sentinels) return [];
  const store = new RedisStore(redis, systemClock);
  // ioredis reports why it failed through `error` events; keep the first for the finding.
  let cause: unknown = null;
  store.client.on('error', (error: Error) => void (cause ??= error));
  try {
    await withTimeout(store.connect(), 'no answer');
    await store.ping();
    return [];
  } catch (error) {
    return [unreachable('redis', redis.sentinels ? 'redis.sentinels' : 'redis.url', cause ?? error)];
  } finally {
    await store.close();
  }
}

function unreachable(name: 'postgres' | 'redis', subject: string, error: unknown): Finding {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    id: `${name}-unreachable`,
    severity: 'high',
    subject,
    message: `${name === 'postgres' ? 'PostgreSQL' : 'Redis'} cannot be reached from here (${reason}); the gateway fails closed without it`,
    fix: `check the address, credentials and firewall for ${subject}`,
  };
}

async function withTimeout<T>(work: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
