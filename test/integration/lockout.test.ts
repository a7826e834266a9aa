import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/ports/clock.ts';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, setRules, startGateway, type TestGateway } from '../support/gateway.ts';

/** The page with what differs per request (token, echoed user name, request ID) blanked. */
function comparable(html: string): string {
  return html
    .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""')
    .replace(/(name="username"[^>]*value=")[^"]*"/g, '$1"')
    .replace(/<code>[^<]*<\/code>/g, '<code></code>');
}

function errorText(html: string): string {
  return /<p class="error" role="alert">([^<]*)<\/p>/.exec(html)?.[1] ?? '';
}

interface FailureRow {
  user_id: string | null;
  reason: string;
  attempted: string | null;
  ip: string | null;
}

describe('password lockout and one answer for every failure', () => {
  const clock = new FakeClock();
  let backend: FakeBackend;
  let gw: TestGateway;
  let taroPassword: string;
  let jiroPassword: string;
  let hanakoPassword: string;

  beforeAll(async () => {
    backend = await startBackend();
    gw = await startGateway({
      clock,
      config: { backends: { bk01: { url: backend.url } }, password: { maxFailures: 3, lockoutSeconds: 900 } },
    });
    await setRules(gw, '/bk01/=ALL;;');
    taroPassword = await addUser(gw, 'taro');
    jiroPassword = await addUser(gw, 'jiro');
    hanakoPassword = await addUser(gw, 'hanako');
  });
  afterAll(async () => {
    await gw?.close();
    await backend?.close();
  });

  async function failures(): Promise<FailureRow[]> {
    const { rows } = await gw.runtime.pool.query<FailureRow>(
      `SELECT user_id, detail->>'reason' AS reason, detail->>'attemptedId' AS attempted, ip
       FROM audit_events WHERE event = 'login.password' AND outcome = 'failure' ORDER BY id`,
    );
    return rows;
  }

  it('locks the account after 3 wrong passwords; the right one then fails exactly like a wrong one', async () => {
    const client = new FormClient(gw.url);
    const wrong: { status: number; body: string }[] = [];
    for (let i = 0; i < 3; i++) wrong.push(await client.login('taro', `wrong-password-${i}`, '/bk01/'));
    for (const answer of wrong) {
      expect(answer.status).toBe(401);
      expect(errorText(answer.body)).not.toBe('');
    }
    const locked = await client.login('taro', taroPassword, '/bk01/');
    expect(locked.status).toBe(wrong[0]?.status);
    expect(errorText(locked.body)).toBe(errorText(wrong[0]?.body ?? ''));
    expect(comparable(locked.body)).toBe(comparable(wrong[0]?.body ?? ''));
    expect(locked.headers.location).toBeUndefined();
    expect(client.cookies.has('sekisho_sid')).toBe(false);
    expect((await client.get('/bk01/')).status).toBe(302);

    const reasons = (await failures()).filter((row) => row.user_id === 'taro').map((row) => row.reason);
    expect(reasons).toEqual(['wrong-password', 'wrong-password', 'wrong-password', 'lockout']);
  });

  it('locks one account only: another user still logs in', async () => {
    const client = new FormClient(gw.url);
    expect((await client.login('jiro', jiroPassword, '/bk01/')).status).toBe(303);
    expect((await client.get('/bk01/')).status).toBe(200);
  });

  it('answers an unknown user with the same status and page as a wrong password', async () => {
    const client = new FormClient(gw.url);
    const wrong = await client.login('jiro', 'not-his-password', '/bk01/');
    const unknown = await client.login('nobody-here', 'whatever-password', '/bk01/');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(wrong.status);
    expect(errorText(unknown.body)).toBe(errorText(wrong.body));
    expect(comparable(unknown.body)).toBe(comparable(wrong.body));
    expect(Object.keys(unknown.headers).sort()).toEqual(Object.keys(wrong.headers).sort());

    const rows = await failures();
    expect(rows).toContainEqual({
      user_id: null,
      reason: 'unknown-user',
      attempted: 'nobody-here',
      ip: '127.0.0.1',
    });
    expect(rows).toContainEqual({
      user_id: 'jiro',
      reason: 'wrong-password',
      attempted: null,
      ip: '127.0.0.1',
    });
    // A successful login resets jiro's count; the wrong password above is his first again.
  });

  it('answers an administratively locked user like a wrong password, and audits why', async () => {
    await gw.admin.updateUser('hanako', { locked: true }, 'test');
    const client = new FormClient(gw.url);
    const locked = await client.login('hanako', hanakoPassword, '/bk01/');
    const wrong = await client.login('hanako', 'wrong-password', '/bk01/');
    expect(locked.status).toBe(401);
    expect(comparable(locked.body)).toBe(comparable(wrong.body));
    const reasons = (await failures()).filter((row) => row.user_id === 'hanako').map((row) => row.reason);
    expect(reasons).toEqual(['locked', 'locked']);
    await gw.admin.updateUser('hanako', { locked: false }, 'test');
    expect((await client.login('hanako', hanakoPassword, '/bk01/')).status).toBe(303);
  });

  it('lifts the lockout once lockoutSeconds have passed (fake clock)', async () => {
    const client = new FormClient(gw.url);
    clock.advance(899_000);
    const stillLocked = await client.login('taro', taroPassword, '/bk01/');
    expect(stillLocked.status).toBe(401);
    clock.advance(2_000);
    const open = await client.login('taro', taroPassword, '/bk01/');
    expect(open.status).toBe(303);
    expect((await client.get('/bk01/')).status).toBe(200);
  });

  it('records successful logins in the audit log too', async () => {
    const { rows } = await gw.runtime.pool.query<{ user_id: string }>(
      `SELECT user_id FROM audit_events WHERE event = 'login.password' AND outcome = 'success'`,
    );
    expect(rows.map((row) => row.user_id).sort()).toEqual(['hanako', 'jiro', 'taro']);
  });
});

describe('per-IP login throttling', () => {
  let gw: TestGateway;
  let password: string;

  beforeAll(async () => {
    gw = await startGateway({ config: { password: { ipMaxAttempts: 5, ipWindowSeconds: 300 } } });
    password = await addUser(gw, 'taro');
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('answers the 6th login POST from one IP with 429, even with the right password', async () => {
    const client = new FormClient(gw.url);
    const page = await client.get('/_sekisho/login');
    const token = csrfField(page.body);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await client.post('/_sekisho/login', {
        _csrf: token,
        username: 'taro',
        password: `wrong-${i}`,
      });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const sixth = await client.post('/_sekisho/login', { _csrf: token, username: 'taro', password });
    expect(sixth.status).toBe(429);
    expect(sixth.headers['retry-after']).toBeDefined();
    expect(client.cookies.has('sekisho_sid')).toBe(false);
    // The throttle refused before checking: no sixth audit row.
    const { rows } = await gw.runtime.pool.query(`SELECT 1 FROM audit_events WHERE event = 'login.password'`);
    expect(rows).toHaveLength(5);
  });
});
