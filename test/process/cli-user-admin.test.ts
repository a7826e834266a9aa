import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionOptions } from '../../src/adapters/pg/database.ts';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { FormClient } from '../support/browser-client.ts';
import { runSekisho } from '../support/cli.ts';
import { databaseUrl } from '../support/env.ts';
import { addUser, setRules, startGateway, testSecret, type TestGateway } from '../support/gateway.ts';
import { waitFor } from '../support/wait-for.ts';

/** Changes must reach every running gateway within 2 s, with no restart. */
const propagation = 2000;

/**
 * `sekisho user passwd|lock|unlock|del` and `group del`, run as an admin would (a child process
 * with its own config file), against the auth DB of a running gateway: the row in Postgres and
 * the live sessions of the user change as the README says.
 */
describe('CLI user and group administration against a running gateway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sekisho-cli-admin-'));
  const config = join(dir, 'sekisho.yaml');
  let backend: FakeBackend;
  let gw: TestGateway;
  let db: pg.Client;
  const passwords = new Map<string, string>();

  const sekisho = (args: string[], stdin?: string) => runSekisho([...args, '--config', config], { stdin });
  const row = async (id: string) =>
    (
      await db.query<{ password_hash: string; locked: boolean }>(
        'SELECT password_hash, locked FROM users WHERE id = $1',
        [id],
      )
    ).rows[0];
  const memberships = async (column: 'user_id' | 'group_name', value: string) =>
    (await db.query(`SELECT user_id, group_name FROM memberships WHERE ${column} = $1`, [value])).rows;

  async function loggedIn(id: string, path = '/bk01/'): Promise<FormClient> {
    const client = new FormClient(gw.url);
    expect((await client.login(id, passwords.get(id) ?? '', path)).status).toBe(303);
    expect((await client.get(path)).status).toBe(200);
    return client;
  }
  const ended = (client: FormClient, what: string) =>
    waitFor(async () => (await client.get('/bk01/x')).status === 302, propagation, what);
  const loginStatus = async (id: string, password: string) =>
    (await new FormClient(gw.url).login(id, password, '/bk01/')).status;

  beforeAll(async () => {
    backend = await startBackend();
    gw = await startGateway({
      config: { backends: { bk01: { url: backend.url }, bk03: { url: backend.url } } },
    });
    await setRules(gw, '/bk01/=ALL;;', '/bk03/=@keiri;;');
    for (const [id, groups] of [
      ['taro', []],
      ['jiro', ['keiri']],
      ['hanako', ['keiri']],
      ['saburo', []],
    ] as const) {
      passwords.set(id, await addUser(gw, id, { groups: [...groups] }));
    }
    const { schema } = gw.config.database;
    writeFileSync(config, JSON.stringify({ database: { url: databaseUrl, schema }, secret: testSecret }));
    db = new pg.Client({ ...connectionOptions(databaseUrl), options: `-c search_path=${schema}` });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await gw?.close();
    await backend?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('user passwd: stores a new argon2id hash, ends the live session, old password refused', async () => {
    const client = await loggedIn('taro');
    const before = await row('taro');
    const run = await sekisho(['user', 'passwd', 'taro', '--password-stdin'], 'a brand new passphrase\n');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('password of taro changed');
    const after = await row('taro');
    expect(after?.password_hash).toMatch(/^\$argon2id\$/);
    expect(after?.password_hash).not.toBe(before?.password_hash);
    expect(run.stdout + run.stderr).not.toContain('a brand new passphrase');
    await ended(client, 'the session ending after the password change');
    expect(await loginStatus('taro', passwords.get('taro') ?? '')).toBe(401);
    expect(await loginStatus('taro', 'a brand new passphrase')).toBe(303);
  });

  it('user passwd: refuses without --password-stdin (2) and for an unknown user (1)', async () => {
    const usage = await sekisho(['user', 'passwd', 'taro']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--password-stdin');
    const unknown = await sekisho(['user', 'passwd', 'nobody', '--password-stdin'], 'whatever password\n');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('user lock: sets locked, ends the live session, and the right password no longer logs in', async () => {
    const client = await loggedIn('saburo');
    const run = await sekisho(['user', 'lock', 'saburo']);
    expect(run.code, run.stderr).toBe(0);
    expect((await row('saburo'))?.locked).toBe(true);
    await ended(client, 'the session ending after the lock');
    expect(await loginStatus('saburo', passwords.get('saburo') ?? '')).toBe(401);
  });

  it('user unlock: clears locked, and the user can log in again', async () => {
    const run = await sekisho(['user', 'unlock', 'saburo']);
    expect(run.code, run.stderr).toBe(0);
    expect((await row('saburo'))?.locked).toBe(false);
    expect(await loginStatus('saburo', passwords.get('saburo') ?? '')).toBe(303);
  });

  it('user del: removes the user and their memberships, ends the live session; a second del fails', async () => {
    const client = await loggedIn('jiro');
    const run = await sekisho(['user', 'del', 'jiro']);
    expect(run.code, run.stderr).toBe(0);
    expect(await row('jiro')).toBeUndefined();
    expect(await memberships('user_id', 'jiro')).toEqual([]);
    await ended(client, 'the session ending after the deletion');
    expect(await loginStatus('jiro', passwords.get('jiro') ?? '')).toBe(401);
    const again = await sekisho(['user', 'del', 'jiro']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/jiro/);
  });

  it('group del: removes the group and its memberships, ends its members’ sessions only', async () => {
    const member = await loggedIn('hanako', '/bk03/');
    const outsider = await loggedIn('saburo');
    const run = await sekisho(['group', 'del', 'keiri']);
    expect(run.code, run.stderr).toBe(0);
    expect((await db.query('SELECT name FROM groups WHERE name = $1', ['keiri'])).rows).toEqual([]);
    expect(await memberships('group_name', 'keiri')).toEqual([]);
    expect((await row('hanako'))?.locked).toBe(false);
    await ended(member, 'the member’s session ending after the group deletion');
    expect((await outsider.get('/bk01/x')).status).toBe(200);
    // Logged in again, hanako is no longer in keiri.
    const again = await loggedIn('hanako');
    expect((await again.get('/bk03/x')).status).toBe(403);
    const missing = await sekisho(['group', 'del', 'keiri']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/keiri/);
  });

  it('names the OS user who ran each change in the audit trail (cli:<user>), whatever USER says', async () => {
    const osUser = userInfo().username;
    const before = await db.query<{ last: string }>('SELECT coalesce(max(id), 0) AS last FROM audit_events');
    const runs = [
      await sekisho(['group', 'add', 'soumu']),
      // USER and SUDO_USER are whatever the caller sets: the account running the process decides.
      await runSekisho(['user', 'lock', 'taro', '--config', config], {
        env: { USER: 'mallory', SUDO_USER: 'mallory' },
      }),
      await sekisho(['user', 'unlock', 'taro']),
      await sekisho(['rule', 'set', '/bk05/=@soumu;;']),
    ];
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const rows = await db.query<{ event: string; actor: string }>(
      'SELECT event, actor FROM audit_events WHERE id > $1 ORDER BY id',
      [before.rows[0]?.last],
    );
    expect(rows.rows.map((r) => r.event)).toEqual(['group.add', 'user.lock', 'user.unlock', 'rule.set']);
    for (const row of rows.rows) expect(row.actor, row.event).toBe(`cli:${osUser}`);
    // Every earlier change in this file came from the CLI too: none is recorded as a bare `cli`.
    const bare = await db.query("SELECT event FROM audit_events WHERE actor = 'cli'");
    expect(bare.rows).toEqual([]);
  });
});
