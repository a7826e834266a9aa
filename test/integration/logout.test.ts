import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfField, FormClient } from '../support/browser-client.ts';
import type { TestGateway } from '../support/gateway.ts';
import { startTwoInstances, type TwoInstances } from '../support/two-instances.ts';

describe('logout', () => {
  let a: TestGateway;
  let b: TestGateway;
  let password: string;
  let instances: TwoInstances;

  beforeAll(async () => {
    instances = await startTwoInstances({
      backends: ['bk01'],
      rules: ['/bk01/=ALL;;'],
      user: { id: 'taro' },
    });
    ({ a, b, password } = instances);
  });
  afterAll(async () => {
    await instances?.close();
  });

  /** A request through `gw` carrying exactly this session cookie. */
  async function withSid(gw: TestGateway, sid: string) {
    const other = new FormClient(gw.url);
    other.cookies.set('sekisho_sid', sid);
    return other.get('/bk01/me');
  }

  it('shows a logout form with its anti-CSRF field on GET, and changes nothing', async () => {
    const client = new FormClient(a.url);
    expect((await client.login('taro', password, '/bk01/')).status).toBe(303);
    const page = await client.get('/_sekisho/logout');
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<form method="post" action="\/_sekisho\/logout"/);
    expect(csrfField(page.body)).not.toBe('');
    // GET alone does not log out.
    expect((await client.get('/bk01/')).status).toBe(200);
  });

  it('ends the session everywhere on POST: the same cookie is refused on A and on B', async () => {
    const client = new FormClient(a.url);
    expect((await client.login('taro', password, '/bk01/')).status).toBe(303);
    const sid = client.cookies.get('sekisho_sid') ?? '';
    expect((await withSid(a, sid)).status).toBe(200);
    expect((await withSid(b, sid)).status).toBe(200);

    const page = await client.get('/_sekisho/logout');
    const done = await client.post('/_sekisho/logout', { _csrf: csrfField(page.body) });
    expect(done.status).toBe(200);
    expect(String(done.headers['set-cookie'])).toMatch(/sekisho_sid=;/);
    expect(client.cookies.has('sekisho_sid')).toBe(false);

    // A copy of the cookie kept elsewhere is worthless on every instance, at once.
    expect((await withSid(a, sid)).status).toBe(302);
    expect((await withSid(b, sid)).status).toBe(302);
    const api = await new FormClient(b.url).get('/bk01/me', {
      accept: 'application/json',
      cookie: `sekisho_sid=${sid}`,
    });
    expect(api.status).toBe(401);
  });

  it('logs out on B a session created on A', async () => {
    const onA = new FormClient(a.url);
    expect((await onA.login('taro', password, '/bk01/')).status).toBe(303);
    const sid = onA.cookies.get('sekisho_sid') ?? '';
    const onB = new FormClient(b.url);
    for (const [name, value] of onA.cookies) onB.cookies.set(name, value);
    const page = await onB.get('/_sekisho/logout');
    expect((await onB.post('/_sekisho/logout', { _csrf: csrfField(page.body) })).status).toBe(200);
    expect((await withSid(a, sid)).status).toBe(302);
  });

  it('ends only that session: another session of the same user keeps working', async () => {
    const desk = new FormClient(a.url);
    const laptop = new FormClient(a.url);
    expect((await desk.login('taro', password, '/bk01/')).status).toBe(303);
    expect((await laptop.login('taro', password, '/bk01/')).status).toBe(303);
    const page = await desk.get('/_sekisho/logout');
    expect((await desk.post('/_sekisho/logout', { _csrf: csrfField(page.body) })).status).toBe(200);
    expect((await laptop.get('/bk01/')).status).toBe(200);
  });

  it('records the logout in the audit log', async () => {
    const { rows } = await a.runtime.pool.query<{ user_id: string; outcome: string }>(
      `SELECT user_id, outcome FROM audit_events WHERE event = 'session.logout'`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.every((row) => row.user_id === 'taro' && row.outcome === 'success')).toBe(true);
  });

  it('refuses POST without the anti-CSRF field; the session still works', async () => {
    const client = new FormClient(a.url);
    expect((await client.login('taro', password, '/bk01/')).status).toBe(303);
    const sid = client.cookies.get('sekisho_sid') ?? '';
    const refused = await client.post('/_sekisho/logout', {});
    expect(refused.status).toBe(403);
    expect((await withSid(a, sid)).status).toBe(200);
    expect((await withSid(b, sid)).status).toBe(200);
  });
});
