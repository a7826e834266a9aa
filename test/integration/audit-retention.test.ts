import type pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuditRetention } from '../../src/adapters/pg/audit-retention.ts';
import { createPool, migrate } from '../../src/adapters/pg/database.ts';
import { PgAuditLog } from '../../src/adapters/pg/pg-audit-log.ts';
import { testConfig } from '../support/gateway.ts';
import { databaseUrl, uniqueName } from '../support/env.ts';

/** The audit trail on real Postgres: append-only, except for a purge of rows past the retention. */
describe('audit retention (migration 003)', () => {
  const schema = uniqueName('audit');
  let pool: pg.Pool;
  const silent = pino({ level: 'silent' });

  beforeAll(async () => {
    pool = createPool(databaseUrl, schema, 4);
    await migrate(pool, schema);
  });
  afterEach(async () => {
    // The trigger refuses TRUNCATE and young DELETEs; a fresh table per test is simpler.
    await pool.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await pool.query('DELETE FROM audit_events');
    await pool.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  /** Inserts a row dated `daysAgo` days back (INSERT is always allowed). */
  async function rowAged(daysAgo: number, event = `test.${daysAgo}`): Promise<number> {
    const result = await pool.query<{ id: string }>(
      `INSERT INTO audit_events (at, event, outcome) VALUES (now() - make_interval(days => $1), $2, 'info')
       RETURNING id`,
      [daysAgo, event],
    );
    return Number(result.rows[0]?.id);
  }
  const events = async () =>
    (await pool.query<{ event: string }>('SELECT event FROM audit_events ORDER BY id')).rows.map(
      (r) => r.event,
    );
  const retention = (retentionDays: number, batchSize?: number) =>
    new AuditRetention({ pool, audit: new PgAuditLog(pool), log: silent }, { retentionDays, batchSize });

  it('purges rows older than the retention, keeps the newer ones, and records the purge', async () => {
    for (const days of [500, 450, 401]) await rowAged(days);
    for (const days of [399, 10, 0]) await rowAged(days);
    const result = await retention(400).purgeOnce();
    expect(result).toEqual({ ran: true, deleted: 3 });
    expect(await events()).toEqual(['test.399', 'test.10', 'test.0', 'audit.purge']);
    const purge = await pool.query(`SELECT actor, detail FROM audit_events WHERE event = 'audit.purge'`);
    expect(purge.rows[0]).toEqual({ actor: 'system', detail: { deleted: 3, retentionDays: 400 } });
  });

  it('purges in batches until nothing old is left, and writes no row when there was nothing to purge', async () => {
    for (let i = 0; i < 7; i++) await rowAged(600 + i);
    await rowAged(1);
    expect(await retention(400, 2).purgeOnce()).toEqual({ ran: true, deleted: 7 });
    expect(await retention(400, 2).purgeOnce()).toEqual({ ran: true, deleted: 0 });
    expect(await events()).toEqual(['test.1', 'audit.purge']);
  });

  it('still refuses UPDATE of any row, old or new', async () => {
    const old = await rowAged(500);
    const young = await rowAged(1);
    for (const id of [old, young]) {
      await expect(
        pool.query(`UPDATE audit_events SET outcome = 'success' WHERE id = $1`, [id]),
      ).rejects.toThrow(/append-only/);
    }
  });

  it('refuses an ad-hoc DELETE and TRUNCATE, even of rows past the retention', async () => {
    const old = await rowAged(500);
    await rowAged(1);
    await expect(pool.query('DELETE FROM audit_events WHERE id = $1', [old])).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
    await expect(pool.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    expect(await events()).toHaveLength(2);
  });

  it('refuses a hand-set cutoff younger than 30 days, and a retention under 30 days', async () => {
    await rowAged(5);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const yesterday = Date.now() / 1000 - 86_400;
      await client.query(`SELECT set_config('sekisho.audit_purge_before', $1, true)`, [String(yesterday)]);
      await expect(client.query('DELETE FROM audit_events')).rejects.toThrow(/older than the retention/);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    await expect(pool.query('SELECT purge_audit_events(10, 100)')).rejects.toThrow(/at least 30 days/);
    expect(await events()).toEqual(['test.5']);
  });

  it('runs on one instance at a time: while another holds the lock, a purge is skipped', async () => {
    await rowAged(500);
    const holder = await pool.connect();
    try {
      await holder.query(
        "SELECT pg_advisory_lock(hashtext('sekisho.audit_retention'), hashtext(current_schema()))",
      );
      expect(await retention(400).purgeOnce()).toEqual({ ran: false });
      expect(await events()).toEqual(['test.500']);
    } finally {
      await holder.query(
        "SELECT pg_advisory_unlock(hashtext('sekisho.audit_retention'), hashtext(current_schema()))",
      );
      holder.release();
    }
    // Two instances at once: exactly one of them purges.
    const results = await Promise.all([retention(400).purgeOnce(), retention(400).purgeOnce()]);
    const deleted = results.reduce((sum, r) => sum + (r.ran ? r.deleted : 0), 0);
    expect(deleted).toBe(1);
    expect(await events()).toEqual(['audit.purge']);
  });

  it('the periodic job purges at start; stop() waits for a purge in flight', async () => {
    await rowAged(500);
    const job = retention(400);
    job.start(60_000);
    await job.stop();
    expect(await events()).toEqual(['audit.purge']);
  });

  it('config: audit.retentionDays defaults to 400 and refuses less than 30 days', () => {
    expect(testConfig({}).audit).toEqual({ retentionDays: 400, purgeIntervalSeconds: 3600 });
    expect(() => testConfig({ audit: { retentionDays: 7 } })).toThrow(
      'config: audit.retentionDays: must be an integer from 30 to 36500',
    );
    expect(() => testConfig({ audit: { keepForever: true } })).toThrow(
      'config: audit.keepForever: unrecognized key',
    );
  });
});
