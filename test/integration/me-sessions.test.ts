import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, request, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import { SessionAdmin } from '../../src/core/session-admin.ts';
import { hashToken } from '../../src/core/session-service.ts';
import { enrolDevice } from '../support/push-harness.ts';
import { activatePhone, provenClient } from '../support/me-session.ts';

/** `/_sekisho/me` over HTTP: a user's own sessions and push phones. */
describe('self-service: sessions and devices', () => {
  let backend: FakeBackend;
  let gw: TestGateway;
  const passwords: Record<string, string> = {};

  beforeAll(async () => {
    backend = await startBackend();
    gw = await startGateway({
      config: { backends: { bk01: { url: backend.url } }, password: { ipMaxAttempts: 1000 } },
    });
    await setRules(gw, '/bk01/=ALL;;');
    for (const id of ['taro', 'jiro', 'saburo', 'goro', 'kaoru']) passwords[id] = await addUser(gw, id);
  });
  afterAll(async () => {
    await gw?.close();
    await backend?.close();
  });

  async function loggedIn(user: string, headers: Record<string, string> = {}): Promise<FormClient> {
    const client = new FormClient(gw.url);
    const page = await client.get('/_sekisho/login?next=%2Fbk01%2F', headers);
    const answer = await client.post(
      '/_sekisho/login',
      { _csrf: csrfField(page.body), username: user, password: passwords[user] ?? '', next: '/bk01/' },
      headers,
    );
    expect(answer.status).toBe(303);
    return client;
  }
  /** Session display IDs on the page, in page order, and which one is this session. */
  function sessionsOn(html: string): { hashes: string[]; current: string | undefined } {
    const hashes = [...html.matchAll(/data-session="([^"]+)"/g)].map((m) => m[1] ?? '');
    const current = /class="me-item current" data-session="([^"]+)"/.exec(html)?.[1];
    return { hashes, current };
  }
  const auditRows = async (event: string) =>
    (
      await gw.runtime.pool.query<{ user_id: string; actor: string; detail: Record<string, unknown> }>(
        'SELECT user_id, actor, detail FROM audit_events WHERE event = $1 ORDER BY id',
        [event],
      )
    ).rows;

  it('without a session: a browser goes to the login page and comes back; anything else gets 401', async () => {
    const browser = new FormClient(gw.url);
    const page = await browser.get('/_sekisho/me');
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe('/_sekisho/login?next=%2F_sekisho%2Fme');
    const api = await request(`${gw.url}/_sekisho/me`, { headers: { accept: 'application/json' } });
    expect(api.statusCode).toBe(401);
    expect(await api.body.json()).toMatchObject({ error: 'authentication_required' });

    const login = await browser.get('/_sekisho/login?next=%2F_sekisho%2Fme');
    const answer = await browser.post('/_sekisho/login', {
      _csrf: csrfField(login.body),
      username: 'taro',
      password: passwords.taro ?? '',
      next: '/_sekisho/me',
    });
    expect(answer.headers.location).toBe('/_sekisho/me');
    expect((await browser.get('/_sekisho/me')).status).toBe(200);
  });

  it('lists my sessions with this one marked, in Japanese by default and in English on request', async () => {
    const a = await loggedIn('taro');
    await loggedIn('taro', { 'user-agent': 'Mozilla/5.0 (iPhone) AppleWebKit/605 Mobile/15E148' });
    const ja = await a.get('/_sekisho/me');
    expect(ja.body).toContain('アカウント設定');
    expect(ja.body).toContain('このセッション');
    const { hashes, current } = sessionsOn(ja.body);
    expect(hashes.length).toBeGreaterThanOrEqual(2);
    expect(hashes[0]).toBe(current);
    expect(ja.body).toContain('Safari on iPhone');
    expect(ja.body).not.toContain(a.cookieHeader().split('=')[1]);
    const en = await a.get('/_sekisho/me', { 'accept-language': 'en-US,en;q=0.9' });
    expect(en.body).toContain('My account');
    expect(en.body).toContain('This session');
  });

  it('ends another of my sessions: it is refused at once, mine goes on, and the audit trail says so', async () => {
    const a = await loggedIn('jiro');
    const b = await loggedIn('jiro');
    expect((await b.get('/bk01/')).status).toBe(200);
    const page = await a.get('/_sekisho/me');
    const { hashes, current } = sessionsOn(page.body);
    const other = hashes.find((h) => h !== current) ?? '';
    const ended = await a.post('/_sekisho/me/sessions/end', { _csrf: csrfField(page.body), session: other });
    expect(ended.status).toBe(303);
    expect(ended.headers.location).toBe('/_sekisho/me?notice=session-ended');
    // The other session's very next request: a browser is sent to log in, a client gets 401.
    const next = await b.get('/bk01/');
    expect(next.status).toBe(302);
    expect(next.headers.location).toContain('/_sekisho/login');
    const json = await request(`${gw.url}/bk01/`, { headers: { cookie: b.cookieHeader() } });
    expect(json.statusCode).toBe(401);
    expect((await a.get('/bk01/')).status).toBe(200);
    const notice = await a.get(String(ended.headers.location));
    expect(notice.body).toContain('セッションを終了しました。');
    expect(sessionsOn(notice.body).hashes).not.toContain(other);
    expect(await auditRows('me.session.end')).toEqual([
      { user_id: 'jiro', actor: 'jiro', detail: { session: other, ended: true, ip: '127.0.0.1' } },
    ]);
  });

  it('the ended session is refused at once on another instance too (shared store, cache invalidated)', async () => {
    const second = await startGateway({
      sharedWith: gw,
      config: { backends: { bk01: { url: backend.url } }, password: { ipMaxAttempts: 1000 } },
    });
    try {
      const a = await loggedIn('goro');
      const b = await loggedIn('goro');
      // B works through the second instance, which now holds B's session in its cache.
      const viaSecond = new FormClient(second.url);
      for (const [name, value] of b.cookies) viaSecond.cookies.set(name, value);
      expect((await viaSecond.get('/bk01/')).status).toBe(200);
      expect((await viaSecond.get('/bk01/')).status).toBe(200);
      const page = await a.get('/_sekisho/me');
      const { hashes, current } = sessionsOn(page.body);
      // goro has exactly two sessions: this one and B's.
      expect(hashes).toHaveLength(2);
      const bHash = hashes.find((h) => h !== current) ?? '';
      const ended = await a.post('/_sekisho/me/sessions/end', {
        _csrf: csrfField(page.body),
        session: bHash,
      });
      expect(ended.headers.location).toBe('/_sekisho/me?notice=session-ended');
      const next = await viaSecond.get('/bk01/');
      expect(next.status).toBe(302);
      expect(next.headers.location).toContain('/_sekisho/login');
    } finally {
      await second.close();
    }
  });

  it('names sessions by an opaque display ID: never the cookie or the stored hash (the store key)', async () => {
    const a = await loggedIn('taro');
    const b = await loggedIn('taro');
    const page = (await a.get('/_sekisho/me')).body;
    const listed = await gw.runtime.gateway.sessions.listFor('taro');
    expect(listed.length).toBeGreaterThanOrEqual(2);
    for (const { hash } of listed) expect(page).not.toContain(hash);
    for (const client of [a, b]) {
      const token = client.cookies.get('sekisho_sid') ?? '';
      expect(page).not.toContain(token);
      expect(page).not.toContain(hashToken(token));
    }
    // The IDs are the console's (one listing and revocation for both pages).
    const ids = sessionsOn(page).hashes;
    const sessionAdmin = new SessionAdmin({
      sessions: gw.runtime.gateway.sessions,
      audit: gw.runtime.gateway.audit,
      secret: gw.runtime.gateway.secret,
    });
    expect(ids.sort()).toEqual(listed.map(({ hash }) => sessionAdmin.displayId(hash)).sort());
  });

  it("refuses to end someone else's session however the form is edited, or this one", async () => {
    const mine = await loggedIn('saburo');
    const theirs = await loggedIn('taro');
    const theirId = sessionsOn((await theirs.get('/_sekisho/me')).body).current ?? '';
    const theirToken = theirs.cookies.get('sekisho_sid') ?? '';
    const page = await mine.get('/_sekisho/me');
    // With no other session and no device the page has no form; any page's token will do.
    const token = csrfField((await mine.get('/_sekisho/logout')).body);
    const ended = (await auditRows('me.session.end')).length;
    // Their display ID, their stored hash (the store key), their cookie value: none names a session of mine.
    for (const session of [theirId, hashToken(theirToken), theirToken]) {
      const foreign = await mine.post('/_sekisho/me/sessions/end', { _csrf: token, session });
      expect(foreign.headers.location, session).toBe('/_sekisho/me?notice=no-such-session');
      expect((await theirs.get('/bk01/')).status).toBe(200);
    }
    // Only the attempts are audited, under saburo, as ending nothing.
    const attempts = (await auditRows('me.session.end')).slice(ended);
    expect(attempts.map((row) => [row.user_id, row.detail.ended])).toEqual([
      ['saburo', false],
      ['saburo', false],
      ['saburo', false],
    ]);
    const own = await mine.post('/_sekisho/me/sessions/end', {
      _csrf: token,
      session: sessionsOn(page.body).current ?? '',
    });
    expect(own.headers.location).toBe('/_sekisho/me?notice=current-session');
    expect((await mine.get('/bk01/')).status).toBe(200);
  });

  it("writes its times in the gateway's time zone (Asia/Tokyo by default), not the server's", async () => {
    const client = await loggedIn('kaoru');
    const [newest] = await gw.runtime.gateway.sessions.listFor('kaoru');
    const tokyo = new Intl.DateTimeFormat('ja-JP', {
      timeZone: 'Asia/Tokyo',
      ...{ year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' },
      hourCycle: 'h23',
    } as const);
    const page = await client.get('/_sekisho/me');
    expect(page.body).toContain(`ログイン: ${tokyo.format(newest?.data.createdAt)}`);
  });

  it('ends all my other sessions at once', async () => {
    const a = await loggedIn('saburo');
    const others = [await loggedIn('saburo'), await loggedIn('saburo')];
    const page = await a.get('/_sekisho/me');
    const answer = await a.post('/_sekisho/me/sessions/end-others', { _csrf: csrfField(page.body) });
    expect(answer.headers.location).toBe('/_sekisho/me?notice=sessions-ended');
    for (const other of others) expect((await other.get('/bk01/')).status).toBe(302);
    expect((await a.get('/bk01/')).status).toBe(200);
    expect(sessionsOn((await a.get('/_sekisho/me')).body).hashes).toHaveLength(1);
    const rows = await auditRows('me.session.end_others');
    expect(rows.at(-1)).toMatchObject({ user_id: 'saburo', detail: { count: 3 } });
  });

  const push = () => {
    if (!gw.runtime.gateway.push) throw new Error('push is enabled by default');
    return gw.runtime.gateway.push;
  };

  it('lists my push phones once, among my authenticators; removing one needs a fresh proof, and only mine', async () => {
    const mine = await enrolDevice(push(), 'taro');
    const theirs = await enrolDevice(push(), 'jiro');
    const client = await loggedIn('taro');
    const page = await client.get('/_sekisho/me');
    expect(page.body.split(`data-credential="${mine.id}"`)).toHaveLength(2);
    expect(page.body).toMatch(new RegExp(`data-method="MAMORU"[\\s\\S]*data-credential="${mine.id}"`));
    expect(page.body).not.toContain('data-device=');
    expect(page.body).not.toContain(theirs.id);
    const remove = (who: FormClient, html: string, id: string) =>
      who.post('/_sekisho/me/authenticators/remove', { _csrf: csrfField(html), method: 'MAMORU', id });
    // A password-only session is asked to prove a factor again; nothing is revoked.
    const stale = await remove(client, page.body, mine.id);
    expect(stale.status).toBe(401);
    expect(stale.body).toContain('id="me-step-up"');
    expect((await push().listDevices('taro'))[0]?.revokedAt).toBeNull();

    const fresh = await provenClient(gw, gw.url, 'taro', 'MAMORU');
    const freshPage = (await fresh.get('/_sekisho/me')).body;
    const foreign = await remove(fresh, freshPage, theirs.id);
    expect(foreign.headers.location).toBe('/_sekisho/me?notice=no-such-credential');
    expect((await push().listDevices('jiro'))[0]?.revokedAt).toBeNull();
    const removed = await remove(fresh, freshPage, mine.id);
    expect(removed.headers.location).toBe('/_sekisho/me?notice=credential-removed');
    expect((await push().listDevices('taro'))[0]?.revokedAt).not.toBeNull();
    expect((await fresh.get('/_sekisho/me')).body).not.toContain(mine.id);
    expect(await auditRows('push.device_revoked')).toEqual([
      { user_id: 'taro', actor: 'taro', detail: { deviceId: mine.id } },
    ]);
  });

  it('adds a phone for push: a fresh proof, then a one-time link and its QR code, which the phone activates', async () => {
    await enrolDevice(push(), 'goro');
    const activations = async () =>
      Number(
        (await gw.runtime.pool.query<{ n: string }>('SELECT count(*) AS n FROM push_activations')).rows[0]?.n,
      );
    const before = await activations();
    const stale = await loggedIn('goro');
    const me = await stale.get('/_sekisho/me');
    expect(me.body).toContain('id="me-push-add"');
    expect(me.body).toContain('プッシュ通知用のスマートフォンを追加する');
    const asked = await stale.post('/_sekisho/me/push/enrol', { _csrf: csrfField(me.body) });
    expect(asked.status).toBe(401);
    expect(asked.body).toContain('/_sekisho/mfa/MAMORU?next=%2F_sekisho%2Fme&amp;reprove=1');
    // No factor at all: only an administrator's activation link may add the first.
    const bare = await loggedIn('saburo');
    const refused = await bare.post('/_sekisho/me/push/enrol', {
      _csrf: csrfField((await bare.get('/_sekisho/me')).body),
    });
    expect(refused.status).toBe(403);
    // Showing a page never makes an activation.
    expect((await stale.get('/_sekisho/me/push/enrol')).status).toBe(404);
    expect(await activations()).toBe(before);

    const fresh = await provenClient(gw, gw.url, 'goro', 'MAMORU');
    const page = await fresh.post('/_sekisho/me/push/enrol', {
      _csrf: csrfField((await fresh.get('/_sekisho/me')).body),
    });
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toMatch(/<div class="qr" id="me-push-qr"[^>]*><svg/);
    const url = /id="me-push-open" href="([^"]+)"|href="([^"]+)" id="me-push-open"/.exec(page.body);
    const link = (url?.[1] ?? url?.[2] ?? '').replace(/&amp;/g, '&');
    const publicUrl = gw.runtime.gateway.config.publicUrl;
    expect(link).toMatch(new RegExp(`^${publicUrl}/_sekisho/push/app#activate=[A-Za-z0-9_-]{43}$`));
    const { rows } = await gw.runtime.pool.query<{ expires_at: Date }>(
      "SELECT expires_at FROM push_activations WHERE user_id = 'goro' AND used_at IS NULL",
    );
    expect(rows).toHaveLength(1);
    const until = new Intl.DateTimeFormat('ja-JP', {
      timeZone: 'Asia/Tokyo',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(rows[0]?.expires_at);
    expect(page.body).toContain(`このQRコードとリンクは ${until} まで、1回だけ使えます。`);
    expect((await auditRows('push.activation_created')).at(-1)).toMatchObject({
      user_id: 'goro',
      actor: 'goro',
    });

    const phone = await activatePhone(push(), link, 'goro');
    const listed = (await fresh.get('/_sekisho/me')).body;
    expect(listed).toContain(`data-credential="${phone}"`);
    expect(await activations()).toBe(before + 1);
  });

  it('refuses every /me form without its anti-CSRF field, and changes nothing', async () => {
    const a = await loggedIn('jiro');
    const b = await loggedIn('jiro');
    const other = sessionsOn((await b.get('/_sekisho/me')).body).current ?? '';
    const forms: [string, Record<string, string>][] = [
      ['/_sekisho/me/sessions/end', { session: other }],
      ['/_sekisho/me/sessions/end-others', {}],
      ['/_sekisho/me/authenticators/remove', { method: 'MAMORU', id: 'x' }],
      ['/_sekisho/me/push/enrol', {}],
      ['/_sekisho/me/phone', { phone: '+819099998888', password: passwords.jiro ?? '' }],
      ['/_sekisho/me/phone/confirm', { otp: '123456' }],
    ];
    for (const [path, fields] of forms) {
      const refused = await a.post(path, fields);
      expect(refused.status, path).toBe(403);
      const forged = await a.post(path, { ...fields, _csrf: 'forged-token' });
      expect(forged.status, path).toBe(403);
    }
    expect((await b.get('/bk01/')).status).toBe(200);
  });

  it('a session whose user was locked meanwhile is ended and sent to log in', async () => {
    await addUser(gw, 'shiro', { password: 'shiro-password-1' });
    passwords.shiro = 'shiro-password-1';
    const client = await loggedIn('shiro');
    await gw.runtime.gateway.users.update('shiro', { locked: true });
    const page = await client.get('/_sekisho/me');
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe('/_sekisho/login?next=%2F_sekisho%2Fme');
  });
});
