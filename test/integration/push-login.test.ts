import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { messages } from '../../plugins/mamoru/messages.ts';
import type { PushService } from '../../src/ports/push-service.ts';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import { enrolDevice, signedAnswer, signedInbox, type TestDevice } from '../support/push-harness.ts';

/**
 * The core side of a passwordless login over HTTP: the ID-only page, the flow cookie that
 * binds the push to one browser, the status route, the final POST and the auth DB check.
 */
describe('MAMORU through the gateway', () => {
  let backend: FakeBackend;
  let gw: TestGateway;
  let push: PushService;
  let device: TestDevice;

  beforeAll(async () => {
    backend = await startBackend();
    gw = await startGateway({
      config: {
        backends: { bk02: { url: backend.url }, bk03: { url: backend.url } },
        sms: { provider: 'sandbox', sandbox: { enabled: true } },
        // Several pushes to hanako here: above the default push-bombing cap of three.
        push: { maxPendingPerUser: 20 },
      },
    });
    await setRules(gw, '/bk02/=ALL;;MAMORU', '/bk03/=ALL;;SMSOTP|PUSH');
    await addUser(gw, 'hanako');
    push = gw.runtime.gateway.push!;
    device = await enrolDevice(push, 'hanako');
  });
  afterAll(async () => {
    await gw?.close();
    await backend?.close();
  });

  /** Follows the gateway from the app's path to the wait page, typing only the ID. */
  async function toWaitPage(client: FormClient, id: string, path = '/bk02/app') {
    const first = await client.get(path);
    expect(first.status).toBe(302);
    const dispatcher = await client.get(first.headers.location as string);
    expect(dispatcher.status).toBe(303);
    const identify = await client.get(dispatcher.headers.location as string);
    expect(identify.status).toBe(200);
    expect(identify.body).not.toContain('type="password"');
    const posted = await client.post('/_sekisho/mfa/MAMORU', {
      _csrf: csrfField(identify.body),
      next: path,
      identify: '1',
      username: id,
    });
    expect(posted.status).toBe(303);
    const wait = await client.get(posted.headers.location as string);
    expect(wait.status).toBe(200);
    const number = /id="push-number"[^>]*>(\d\d)</.exec(wait.body)?.[1] ?? '';
    return { wait, number, path };
  }

  async function approveNewest(number: string | number) {
    const inbox = await push.inbox(await signedInbox(device, Date.now()));
    if (inbox.kind !== 'ok') throw new Error('inbox refused');
    const newest = [...inbox.requests].sort((a, b) => b.createdAt - a.createdAt)[0];
    if (!newest) throw new Error('no pending request');
    return push.respond(await signedAnswer(device, newest, 'approve', number), {
      ip: '10.1.1.1',
      userAgent: 'phone',
    });
  }

  async function status(client: FormClient, path: string) {
    const res = await client.get(`/_sekisho/mfa/MAMORU/status?next=${encodeURIComponent(path)}`, {
      accept: 'application/json',
    });
    return JSON.parse(res.body) as { state: string; fields?: Record<string, string>; message?: string };
  }

  it('ID only → number → approval → tokens to this browser only → the app, with MAMORU in the header', async () => {
    const browser = new FormClient(gw.url);
    const { wait, number, path } = await toWaitPage(browser, 'hanako');
    expect(number).toMatch(/^[1-9]\d$/);
    expect(await status(browser, path)).toEqual({ state: 'pending' });

    const stranger = new FormClient(gw.url);
    const approved = await approveNewest(number);
    expect(approved).toEqual({ kind: 'decided', outcome: 'approved' });
    expect((await status(stranger, path)).state).not.toBe('ready');

    const ready = await status(browser, path);
    expect(ready.state).toBe('ready');
    const final = await browser.post('/_sekisho/mfa/MAMORU', {
      _csrf: csrfField(wait.body),
      next: path,
      username: 'hanako',
      ...ready.fields,
    });
    expect(final.status).toBe(303);
    expect(final.headers.location).toBe(path);
    const app = await browser.get(path);
    expect(app.status).toBe(200);
    const seen = backend.seen.at(-1);
    expect(seen?.headers['x-remote-user']).toBe('hanako');
    expect(seen?.headers['x-remote-auth-methods']).toBe('MAMORU');
    expect(browser.cookies.has('sekisho_flow')).toBe(false);

    const replay = await new FormClient(gw.url).post('/_sekisho/mfa/MAMORU', {
      _csrf: csrfField(wait.body),
      next: path,
      username: 'hanako',
      ...ready.fields,
    });
    expect(replay.status).not.toBe(303);
  });

  it('takes the ID in any letter case or full width, as the login page does: the push goes to hanako', async () => {
    const browser = new FormClient(gw.url);
    const { wait, number, path } = await toWaitPage(browser, 'Ｈａｎａｋｏ', '/bk02/case');
    expect(await approveNewest(number)).toEqual({ kind: 'decided', outcome: 'approved' });
    const ready = await status(browser, path);
    expect(ready.state).toBe('ready');
    const final = await browser.post('/_sekisho/mfa/MAMORU', {
      _csrf: csrfField(wait.body),
      next: path,
      ...ready.fields,
    });
    expect(final.status).toBe(303);
    expect((await browser.get(path)).status).toBe(200);
    expect(backend.seen.at(-1)?.headers['x-remote-user']).toBe('hanako');
  });

  it('without JavaScript: "I approved" before the approval shows the wait page again, after it logs in', async () => {
    const browser = new FormClient(gw.url);
    const { wait, number, path } = await toWaitPage(browser, 'hanako', '/bk02/no-js');
    const form = {
      _csrf: csrfField(wait.body),
      next: path,
      username: 'hanako',
      push_token1: '',
      push_token2: '',
    };
    const early = await browser.post('/_sekisho/mfa/MAMORU', form);
    expect(early.status).toBe(401);
    expect(early.body).toContain('id="push-number"');
    await approveNewest(number);
    const done = await browser.post('/_sekisho/mfa/MAMORU', { ...form, _csrf: csrfField(early.body) });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(path);
    expect((await browser.get(path)).status).toBe(200);
  });

  it('tokens posted with another ID are refused', async () => {
    const browser = new FormClient(gw.url);
    const { wait, number, path } = await toWaitPage(browser, 'hanako', '/bk02/other-id');
    await approveNewest(number);
    const ready = await status(browser, path);
    expect(ready.state).toBe('ready');
    const final = await browser.post('/_sekisho/mfa/MAMORU', {
      _csrf: csrfField(wait.body),
      next: path,
      username: 'mallory',
      ...ready.fields,
    });
    expect(final.status).toBe(403);
    expect((await browser.get(path, { accept: 'application/json' })).status).toBe(401);
  });

  it('an unknown ID gets the same wait page, and no device ever sees it', async () => {
    const before = await push.inbox(await signedInbox(device, Date.now()));
    const browser = new FormClient(gw.url);
    const { number } = await toWaitPage(browser, 'nobody-here', '/bk02/decoy');
    expect(number).toMatch(/^[1-9]\d$/);
    const after = await push.inbox(await signedInbox(device, Date.now()));
    expect(after.kind === 'ok' && before.kind === 'ok' && after.requests.length).toBe(
      before.kind === 'ok' ? before.requests.length : -1,
    );
    expect((await status(browser, '/bk02/decoy')).state).toBe('pending');
  });

  it('a user locked after the approval is refused at the end (the auth DB has the last word)', async () => {
    await addUser(gw, 'jiro');
    const jiroDevice = await enrolDevice(push, 'jiro');
    const browser = new FormClient(gw.url);
    const { wait, number, path } = await toWaitPage(browser, 'jiro', '/bk02/locked');
    const inbox = await push.inbox(await signedInbox(jiroDevice, Date.now()));
    const pending = inbox.kind === 'ok' ? inbox.requests[0] : undefined;
    expect(pending).toBeDefined();
    await push.respond(await signedAnswer(jiroDevice, pending!, 'approve', number), {
      ip: '10.1.1.1',
      userAgent: 'phone',
    });
    await gw.admin.updateUser('jiro', { locked: true }, 'test');
    const ready = await status(browser, path);
    const fields = ready.fields ?? { push_token1: '', push_token2: '' };
    const final = await browser.post('/_sekisho/mfa/MAMORU', {
      _csrf: csrfField(wait.body),
      next: path,
      username: 'jiro',
      ...fields,
    });
    expect(final.status).toBe(403);
    expect((await browser.get(path, { accept: 'application/json' })).status).toBe(401);
  });

  it('offers push or password on an SMSOTP|PUSH path, and a non-browser client gets 401 JSON', async () => {
    const browser = new FormClient(gw.url);
    const first = await browser.get('/bk03/');
    const chooser = await browser.get(first.headers.location as string);
    expect(chooser.status).toBe(200);
    // One chooser of ways, each named by what it needs; nothing about any user before the password.
    expect(chooser.body).toContain('name="way" value="password,SMSOTP">パスワード＋SMS認証コード</button>');
    expect(chooser.body).toContain('name="way" value="MAMORU">スマートフォンで承認</button>');
    const push = await browser.post('/_sekisho/mfa', {
      _csrf: csrfField(chooser.body),
      next: '/bk03/',
      way: 'MAMORU',
    });
    expect(push.status).toBe(303);
    expect(push.headers.location).toBe('/_sekisho/mfa/MAMORU?next=%2Fbk03%2F');
    const api = await request(`${gw.url}/bk02/api`, { headers: { accept: 'application/json' } });
    expect(api.statusCode).toBe(401);
    expect(await api.body.json()).toMatchObject({ error: 'authentication_required', methods: ['MAMORU'] });
  });

  it('"use another ID" ends the flow and asks for the ID again', async () => {
    const browser = new FormClient(gw.url);
    await toWaitPage(browser, 'hanako', '/bk02/restart');
    const restarted = await browser.get('/_sekisho/mfa/MAMORU?next=%2Fbk02%2Frestart&restart=1');
    expect(restarted.status).toBe(200);
    expect(restarted.body).toContain('name="identify"');
    expect((await status(browser, '/bk02/restart')).state).toBe('dead');
  });

  it('a phone revoked while the page waits on it ends the wait at the next poll, with one message and a way on', async () => {
    await addUser(gw, 'shiro');
    const phone = await enrolDevice(push, 'shiro');
    const browser = new FormClient(gw.url);
    const { path } = await toWaitPage(browser, 'shiro', '/bk02/revoked');
    expect(await status(browser, path)).toEqual({ state: 'pending' });

    // As the admin console and /_sekisho/me do.
    expect(await push.revokeDevice(phone.id, { actor: 'admin' })).toBe(true);

    const over = await status(browser, path);
    expect(over).toMatchObject({
      state: 'dead',
      message: messages.ja.deviceRevoked,
      href: expect.any(String),
    });
    expect(await push.inbox(await signedInbox(phone, Date.now()))).toEqual({ kind: 'unauthorized' });
  });
});
