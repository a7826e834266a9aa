import pg from 'pg';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../project-root.ts';
import Postgrator from 'postgrator';

export type Queryable = Pick<pg.Pool, 'query'>;

const migrationPattern = join(projectRoot, 'migrations', '*.sql');

/** A pool whose sessions all use the configured schema. */
export function createPool(url: string, schema: string, max: number): pg.Pool {
  const pool = new pg.Pool({
    ...connectionOptions(url),
    max,
    options: `-c search_path=${schema}`,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client that loses its server must not crash the process; readyz reports it.
  pool.on('error', () => {});
  return pool;
}

/** Like libpq: a URL without a user name connects as the operating-system user. */
export function connectionOptions(url: string): pg.ClientConfig {
  const parsed = new URL(url);
  if (!parsed.username) parsed.username = encodeURIComponent(userInfo().username);
  return { connectionString: parsed.toString() };
}

/** Brings the schema up to the newest migration; safe to run again (idempotent). */
export async function migrate(pool: pg.Pool, schema: string): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    const database =
      (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db ?? '';
    const postgrator = new Postgrator({
      migrationPattern,
      driver: 'pg',
      database,
      schemaTable: `${schema}.schemaversion`,
      currentSchema: schema,
      execQuery: (query: string) => client.query(query),
    });
    const applied = await postgrator.migrate();
    return applied.map((m) => m.version);
  } finally {
    client.release();
  }
}

/** Runs `work` in one transaction. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Quotes an identifier that the config schema already restricted to [a-z_][a-z0-9_]*. */
function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Notes a change for the other gateways, inside the caller's transaction. */
export async function noteChange(
  db: Queryable,
  kind: 'rules' | 'user' | 'revoke',
  subject: string | null,
): Promise<void> {
  await db.query('INSERT INTO change_events (kind, subject) VALUES ($1, $2)', [kind, subject]);
}
