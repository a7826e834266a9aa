import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionOptions } from '../../src/adapters/pg/database.ts';
import { projectRoot } from '../../src/project-root.ts';
import { databaseUrl, uniqueName } from '../support/env.ts';
import { addUser, dropSchema, startGateway, type TestGateway } from '../support/gateway.ts';

const client = { ip: '192.0.2.10', userAgent: 'test' };

/**
 * User IDs at login are one ID in any letter case, typed in full-width or half-width letters:
 * the user they name logs in, and is the one whose failures count; IDs that would be one at login
 * cannot be created.
 */
describe('user IDs and letter case', () => {
  let gw: TestGateway;
  let demoPassword: string;

  beforeAll(async () => {
    gw = await startGateway({ config: { password: { maxFailures: 3, lockoutSeconds: 900 } } });
    demoPassword = await addUser(gw, 'demo');
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('logs in the stored user whatever the letter case or width of the typed ID', async () => {
    const { passwordLogin } = gw.runtime.gateway;
    for (const typed of ['demo', 'Demo', 'DEMO', 'ｄｅｍｏ', 'Ｄｅｍｏ', ' demo ']) {
      const result = await passwordLogin.attempt(typed, demoPassword, client);
      expect(result.ok ? result.user.id : result.reason, typed).toBe('demo');
    }
    expect((await passwordLogin.attempt('dem0', demoPassword, client)).ok).toBe(false);
  });

  it('counts a wrong password under another letter case towards that user’s lockout', async () => {
    const password = await addUser(gw, 'Sato.Ichiro');
    const { passwordLogin, users } = gw.runtime.gateway;
    for (const typed of ['sato.ichiro', 'SATO.ICHIRO', 'ｓａｔｏ．ｉｃｈｉｒｏ'])
      expect(await passwordLogin.attempt(typed, 'wrong', client)).toEqual({
        ok: false,
        reason: 'wrong-password',
      });
    const locked = await users.find('Sato.Ichiro');
    expect(locked?.failedCount).toBe(3);
    expect(locked?.lockoutUntil).not.toBeNull();
    expect(await passwordLogin.attempt('Sato.Ichiro', password, client)).toEqual({
      ok: false,
      reason: 'lockout',
    });
    const { rows } = await gw.runtime.pool.query<{ user_id: string }>(
      `SELECT user_id FROM audit_events WHERE event = 'login.password' AND outcome = 'failure'
       AND user_id IS NOT NULL AND lower(user_id) = 'sato.ichiro'`,
    );
    expect(rows.map((r) => r.user_id)).toEqual(Array(4).fill('Sato.Ichiro'));
  });

  it('refuses to create an ID that differs from a stored one only in letter case, naming it', async () => {
    for (const id of ['Demo', 'DEMO']) {
      await expect(gw.admin.addUser({ id, password: 'pw-0123456789' }, 'test')).rejects.toMatchObject({
        code: 'SEKISHO_ERR_USER_EXISTS',
        message: `user ${id}: user demo exists, and IDs that differ only in letter case are the same ID at login`,
      });
    }
    await expect(gw.admin.addUser({ id: 'demo', password: 'pw-0123456789' }, 'test')).rejects.toMatchObject({
      code: 'SEKISHO_ERR_USER_EXISTS',
      message: 'user demo exists',
    });
    expect((await gw.runtime.gateway.users.list()).filter((u) => u.id.toLowerCase() === 'demo')).toHaveLength(
      1,
    );
  });

  it('of two IDs created at once that differ only in letter case, one is created', async () => {
    const results = await Promise.allSettled(
      ['Hana', 'hana', 'HANA'].map((id) => gw.admin.addUser({ id, password: 'pw-0123456789' }, 'test')),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const refused of results.filter((r) => r.status === 'rejected'))
      expect(refused.reason).toMatchObject({ code: 'SEKISHO_ERR_USER_EXISTS' });
  });

  it('IDs that clash from before the rule: only the exact ID logs in, another case names nobody', async () => {
    const { pool } = gw.runtime;
    await pool.query('DROP INDEX users_id_folded');
    try {
      await pool.query(`INSERT INTO users (id) VALUES ('Taro'), ('taro')`);
      const { users } = gw.runtime.gateway;
      expect((await users.findForLogin('Taro'))?.id).toBe('Taro');
      expect((await users.findForLogin('taro'))?.id).toBe('taro');
      expect(await users.findForLogin('TARO')).toBeNull();
      await expect(gw.admin.addUser({ id: 'tArO', password: 'pw-0123456789' }, 'test')).rejects.toMatchObject(
        {
          code: 'SEKISHO_ERR_USER_EXISTS',
        },
      );
    } finally {
      await pool.query(`DELETE FROM users WHERE lower(id) = 'taro'`);
      await pool.query('CREATE UNIQUE INDEX users_id_folded ON users (lower(id))');
    }
  });
});

describe('migration 012 on IDs stored before it', () => {
  const migration = readFileSync(join(projectRoot, 'migrations', '012.do.user-id-letter-case.sql'), 'utf8');
  const schema = uniqueName('idcase');
  const db = new pg.Client(connectionOptions(databaseUrl));

  beforeAll(async () => {
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await dropSchema(schema);
  });

  /** Runs the migration over a users table holding `ids`; true when its index came out unique. */
  async function migrateOver(ids: string[]): Promise<boolean> {
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
    await db.query(`SET search_path TO ${schema}`);
    await db.query('CREATE TABLE users (id text PRIMARY KEY)');
    for (const id of ids) await db.query('INSERT INTO users (id) VALUES ($1)', [id]);
    await db.query(migration);
    const { rows } = await db.query<{ unique: boolean }>(
      `SELECT indisunique AS unique FROM pg_index WHERE indexrelid = '${schema}.users_id_folded'::regclass`,
    );
    return rows[0]?.unique ?? false;
  }

  it('makes the case-folded index unique when no stored IDs clash, and a plain one (with a warning) when some do', async () => {
    expect(await migrateOver(['demo', 'taro'])).toBe(true);
    const warnings: string[] = [];
    db.on('notice', (notice) => warnings.push(notice.message ?? ''));
    expect(await migrateOver(['Taro', 'taro', 'demo'])).toBe(false);
    expect(warnings).toContain(
      'sekisho: user IDs that differ only in letter case exist; see docs/login-page.md',
    );
  });
});
