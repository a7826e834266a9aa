import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/ports/clock.ts';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { runSekisho } from '../support/cli.ts';
import { databaseUrl } from '../support/env.ts';
import { addUser, setRules, startGateway, testSecret, type TestGateway } from '../support/gateway.ts';
import { oathtool } from '../support/oathtool.ts';

/** The Base32 secret of an otpauth URI. */
function secretOf(uri: string): string {
  return /[?&]secret=([A-Z2-7]+)/.exec(uri)?.[1] ?? '';
}

function errorText(html: string): string {
  return /<p class="error" role="alert">([^<]*)<\/p>/.exec(html)?.[1] ?? '';
}

/**
 * TOTP and recovery codes through the real gateway (real Postgres and Redis, two instances on one
 * schema and key prefix), with the CLI run as an admin would and codes from oathtool.
 */
describe('TOTP and recovery codes through the gateway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sekisho-totp-'));
  const configFile = join(dir, 'sekisho.json');
  const clock = new FakeClock(Date.UTC(2026, 11, 3, 9, 0, 0));
  let backend: FakeBackend;
  let gw: TestGateway;
  let gw2: TestGateway;
  const passwords = new Map<string, string>();
  const sekisho = (...args: string[]) => runSekisho([...args, '--config', configFile]);

  beforeAll(async () => {
    backend = await startBackend();
    const config = {
      backends: { bk01: { url: backend.url }, bk00: { url: backend.url } },
      password: { maxFailures: 3, lockoutSeconds: 900 },
      otp: { maxAttempts: 3 },
    };
    gw = await startGateway({ clock, config });
    gw2 = await startGateway({ clock, config, sharedWith: gw });
    await setRules(gw, '/bk01/=ALL;;TOTP', '/bk00/=ALL;;');
    for (const id of ['taro', 'jiro', 'hanako', 'saburo', 'shiro']) passwords.set(id, await addUser(gw, id));
    const { schema } = gw.config.database;
    writeFileSync(configFile, JSON.stringify({ database: { url: databaseUrl, schema }, secret: testSecret }));
  });
  afterAll(async () => {
    await gw2?.close();
    await gw?.close();
    await backend?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function enrol(id: string): Promise<string> {
    const run = await sekisho('totp', 'enroll', id);
    expect(run.code).toBe(0);
    const first = run.stdout.split('\n')[0] ?? '';
    expect(first).toMatch(
      new RegExp(
        `^otpauth://totp/Sekisho:${id}\\?secret=[A-Z2-7]{32}&issuer=Sekisho&algorithm=SHA1&digits=6&period=30$`,
      ),
    );
    return secretOf(first);
  }

  /** Password, then the TOTP page: returns the client and the page. */
  async function toTotpPage(target: TestGateway, id: string) {
    const client = new FormClient(target.url);
    const login = await client.login(id, passwords.get(id) ?? '', '/bk01/');
    expect(login.status).toBe(303);
    const page = await client.get('/_sekisho/mfa/TOTP?next=%2Fbk01%2F');
    expect(page.status).toBe(200);
    return { client, page };
  }

  async function postCode(client: FormClient, page: string, otp: string) {
    return client.post('/_sekisho/mfa/TOTP', { _csrf: csrfField(page), next: '/bk01/', otp });
  }

  it('enrols by CLI (active at once, stored sealed) and logs in with the oathtool code; a replay on the second instance is refused', async () => {
    const secret = await enrol('taro');
    const { rows } = await gw.runtime.pool.query<{ data: string }>(
      "SELECT data::text FROM credentials WHERE user_id = 'taro' AND method = 'TOTP'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.data).not.toContain(secret);

    const { client, page } = await toTotpPage(gw, 'taro');
    expect(page.body).toContain('name="otp"');
    expect(page.body).toContain('id="use-recovery-code"');
    // Why it asks, and the way back, as on the SMS code page.
    expect(page.body).toMatch(/<p class="step-reason" id="step-reason">[^<]*\/bk01\/[^<]*<\/p>/);
    expect(page.body).toContain('<a id="back-to-login" href="/_sekisho/login?next=%2Fbk01%2F">');
    const code = oathtool(secret, clock.now());
    const ok = await postCode(client, page.body, code);
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/bk01/');
    await client.get('/bk01/');
    expect(backend.seen.at(-1)?.headers['x-remote-auth-methods']).toBe('password,TOTP');

    const other = await toTotpPage(gw2, 'taro');
    const replay = await postCode(other.client, other.page.body, code);
    expect(replay.status).toBe(401);
    expect(errorText(replay.body)).toContain('すでに使われています');

    const show = await sekisho('totp', 'show', 'taro');
    expect(show.stdout).toMatch(/^taro\tenrolled \S+\tlast used \S+/);
    expect(show.stdout).not.toContain(secret);
  });

  it('accepts one step of clock skew either way and refuses two', async () => {
    const secret = await enrol('jiro');
    clock.advance(300_000);
    const tryCode = async (offsetMs: number) => {
      const { client, page } = await toTotpPage(gw, 'jiro');
      return (await postCode(client, page.body, oathtool(secret, clock.now() + offsetMs))).status;
    };
    expect(await tryCode(-60_000)).toBe(401);
    expect(await tryCode(60_000)).toBe(401);
    expect(await tryCode(-30_000)).toBe(303);
    expect(await tryCode(30_000)).toBe(303);
  });

  it('caps wrong codes like an SMS code: after otp.maxAttempts even the right code is refused', async () => {
    const secret = await enrol('saburo');
    const { client, page } = await toTotpPage(gw, 'saburo');
    const right = oathtool(secret, clock.now());
    const wrong = right === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; i++) expect((await postCode(client, page.body, wrong)).status).toBe(401);
    const refused = await postCode(client, page.body, right);
    expect(refused.status).toBe(401);
    expect(errorText(refused.body)).toContain('上限');
  });

  it('stands a password and a recovery code in for the rule once; used and voided codes are refused', async () => {
    const generated = await sekisho('recovery', 'generate', 'hanako');
    const codes = generated.stdout.trim().split('\n');
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[2-9a-hjkmnp-z]{5}-[2-9a-hjkmnp-z]{5}$/);

    const recover = async (code: string) => {
      const client = new FormClient(gw.url);
      const form = await client.get('/_sekisho/recovery?next=%2Fbk01%2F');
      expect(form.body).toContain('name="username"');
      const answer = await client.post('/_sekisho/recovery', {
        _csrf: csrfField(form.body),
        next: '/bk01/',
        username: 'hanako',
        password: passwords.get('hanako') ?? '',
        recovery_code: code,
      });
      return { client, answer };
    };
    const first = await recover(codes[0] ?? '');
    expect(first.answer.status).toBe(200);
    expect(first.answer.body).toContain('data-remaining="9"');
    await first.client.get('/bk01/');
    expect(backend.seen.at(-1)?.headers['x-remote-auth-methods']).toBe('password,RECOVERY');
    const { rows } = await gw.runtime.pool.query(
      "SELECT 1 FROM audit_events WHERE event = 'recovery.used' AND user_id = 'hanako'",
    );
    expect(rows).toHaveLength(1);

    expect((await recover(codes[0] ?? '')).answer.status).toBe(401);
    const again = await sekisho('recovery', 'generate', 'hanako');
    expect(again.code).toBe(0);
    expect((await recover(codes[1] ?? '')).answer.status).toBe(401);
    const fresh = again.stdout.trim().split('\n');
    expect((await recover(fresh[0] ?? '')).answer.status).toBe(200);
  });

  it('rule explain names the recovery code as a way of passing the rule, never as a next step', async () => {
    const run = await sekisho('rule', 'explain', '/bk01/', '--user', 'hanako');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines).toContain('requires: password -> TOTP');
    expect(lines).toContain(
      'or a recovery code: password -> RECOVERY (stands in for the methods; offered by a link on every factor page, not as a next step)',
    );
    expect(lines).toContain('decision: authenticate; next: password');
    expect(lines.filter((line) => line.includes('next:')).join('\n')).not.toContain('RECOVERY');
  });

  it('counts wrong recovery codes towards the password lockout', async () => {
    const generated = await sekisho('recovery', 'generate', 'shiro');
    const good = generated.stdout.trim().split('\n')[0] ?? '';
    const client = new FormClient(gw.url);
    const attempt = async (code: string) => {
      const form = await client.get('/_sekisho/recovery');
      return client.post('/_sekisho/recovery', {
        _csrf: csrfField(form.body),
        username: 'shiro',
        password: passwords.get('shiro') ?? '',
        recovery_code: code,
      });
    };
    for (let i = 0; i < 3; i++) expect((await attempt('abcde-fghjk')).status).toBe(401);
    expect((await attempt(good)).status).toBe(401);
    expect((await client.login('shiro', passwords.get('shiro') ?? '', '/bk00/')).status).toBe(401);
    const { rows } = await gw.runtime.pool.query<{ reason: string }>(
      "SELECT detail->>'reason' AS reason FROM audit_events WHERE event = 'login.password' AND user_id = 'shiro' ORDER BY id",
    );
    expect(rows.map((r) => r.reason)).toEqual([
      'wrong-recovery-code',
      'wrong-recovery-code',
      'wrong-recovery-code',
      'lockout',
      'lockout',
    ]);
  });
});
