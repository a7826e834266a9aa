import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { karadenSettings, startFakeKaraden, type FakeKaraden } from '../fakes/karaden-server.ts';
import { codeIn } from '../fakes/smsotp-harness.ts';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, request, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import { enrolDevice, signedAnswer, signedInbox, type TestDevice } from '../support/push-harness.ts';
import { waitFor } from '../support/wait-for.ts';
import { startFakePushService, type FakePushService } from '../fakes/web-push-server.ts';
import { newNonce, sign, subscribePayload } from '../../views/static/push/protocol.js';

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const from = (ip: string) => ({ 'x-forwarded-for': ip, 'user-agent': CHROME });

/** A gateway that reads the client from X-Forwarded-For, with SMS to a fake Karaden and one backend as /bk02/ and /bk03/. */
interface KaradenRig {
  readonly karaden: FakeKaraden;
  readonly backend: FakeBackend;
  readonly gw: TestGateway;
  close(): Promise<void>;
}

async function startKaradenRig(config: Record<string, unknown> = {}): Promise<KaradenRig> {
  const karaden = await startFakeKaraden();
  const backend = await startBackend();
  const gw = await startGateway({
    config: {
      trustProxy: ['127.0.0.1'],
      backends: { bk02: { url: backend.url }, bk03: { url: backend.url } },
      sms: { provider: 'karaden', karaden: karadenSettings(karaden) },
      ...config,
    },
  });
  const close = async () => {
    await gw.close();
    await backend.close();
    await karaden.close();
  };
  return { karaden, backend, gw, close };
}

/**
 * `newdevice=`: a login from a browser and address new for the user is asked one more method,
 * the pair is known from then on, and the user is told by SMS (the fake Karaden) — audited.
 */
describe('rules asking more from a new environment (newdevice=)', () => {
  let rig: KaradenRig;
  let karaden: FakeKaraden;
  let gw: TestGateway;
  let password: string;

  beforeAll(async () => {
    rig = await startKaradenRig({ otp: { maxSendsPerWindow: 100, resendCooldownSeconds: 0 } });
    ({ karaden, gw } = rig);
    await setRules(gw, '/bk02/=ALL;;;newdevice=SMSOTP', '/bk03/=ALL;;');
    password = await addUser(gw, 'taro', { phone: '+819012345678' });
  });
  afterAll(async () => {
    await rig?.close();
  });

  async function login(where: Record<string, string>, next: string, query = '') {
    const client = new FormClient(gw.url);
    const page = await client.get(`/_sekisho/login?next=${encodeURIComponent(next)}${query}`, where);
    const answer = await client.post(
      '/_sekisho/login',
      { _csrf: csrfField(page.body), username: 'taro', password, next },
      where,
    );
    expect(answer.status).toBe(303);
    return { client, location: String(answer.headers.location) };
  }

  async function proveSms(client: FormClient, where: Record<string, string>, location: string) {
    let page = await client.get(location, where);
    for (let hops = 0; page.status !== 200 && hops < 3; hops += 1)
      page = await client.get(String(page.headers.location), where);
    const code = codeIn(String(karaden.received.at(-1)?.message.body));
    const next = /name="next" value="([^"]*)"/.exec(page.body)?.[1]?.replaceAll('&#x2F;', '/') ?? '/';
    const done = await client.post(
      '/_sekisho/mfa/SMSOTP',
      { _csrf: csrfField(page.body), next, otp: code },
      where,
    );
    expect(done.status).toBe(303);
  }

  async function noticeRows() {
    const { rows } = await gw.runtime.pool.query<{ ip: string; detail: Record<string, unknown> }>(
      `SELECT ip, detail FROM audit_events WHERE event = 'login.new_environment' AND user_id = 'taro' ORDER BY id`,
    );
    return rows;
  }

  it('asks a new environment for the SMS code, then tells the user by SMS, audited', async () => {
    const where = from('198.51.100.7');
    const { client, location } = await login(where, '/bk02/');
    expect(location).toContain('/_sekisho/mfa');
    const before = karaden.received.length;
    await proveSms(client, where, location);
    expect((await client.get('/bk02/', where)).status).toBe(200);
    // The notice, sent in the background after the code (the login never waits for it).
    await waitFor(async () => karaden.received.length === before + 2, 5000, 'the notice SMS');
    const notice = karaden.received.at(-1)?.message;
    expect(notice?.to).toBe('09012345678');
    expect(notice?.body).toContain('新しい環境からログインがありました');
    expect(notice?.body).toContain('198.51.100.7');
    expect(notice?.body).toContain('Chrome');
    await waitFor(async () => (await noticeRows()).length === 1, 5000, 'the audit row');
    expect((await noticeRows())[0]).toMatchObject({ ip: '198.51.100.7', detail: { notified: 'SMSOTP' } });
  });

  it('the same browser and address are known afterwards: the password is enough, nothing is sent', async () => {
    const sent = karaden.received.length;
    const { client, location } = await login(from('198.51.100.7'), '/bk02/');
    expect(location).toBe('/bk02/');
    expect((await client.get('/bk02/', from('198.51.100.7'))).status).toBe(200);
    expect(karaden.received.length).toBe(sent);
  });

  it('another address is a new environment again', async () => {
    const { location } = await login(from('198.51.100.8'), '/bk02/');
    expect(location).toContain('/_sekisho/mfa');
  });

  it('a password-only login never makes an environment known', async () => {
    const where = from('203.0.113.9');
    const first = await login(where, '/bk03/');
    expect(first.location).toBe('/bk03/');
    expect((await first.client.get('/bk03/', where)).status).toBe(200);
    const again = await login(where, '/bk02/');
    expect(again.location).toContain('/_sekisho/mfa');
    expect(await noticeRows()).toHaveLength(1);
  });

  /** A login from a new place, its SMS step proven: the notice's text once it has been sent. */
  async function noticeOfNewLogin(where: Record<string, string>, query = '') {
    const { client, location } = await login(where, '/bk02/', query);
    const before = karaden.received.length;
    await proveSms(client, where, location);
    await waitFor(async () => karaden.received.length === before + 2, 5000, 'the notice SMS');
    return String(karaden.received.at(-1)?.message.body);
  }

  it("is sent in English when the login's browser asks for English", async () => {
    const body = await noticeOfNewLogin({ ...from('198.51.100.30'), 'accept-language': 'en-GB,en;q=0.8' });
    expect(body).toContain('New sign-in from Chrome');
    expect(body).toContain('198.51.100.30');
    expect(body).not.toContain('新しい環境');
  });

  it('is sent in the language the user picked (?lang=en, then the language cookie)', async () => {
    const where = { ...from('198.51.100.31'), 'accept-language': 'ja' };
    const body = await noticeOfNewLogin(where, '&lang=en');
    expect(body).toContain('New sign-in from Chrome');
  });
});

/** With a push device that has Web Push, the notice goes there instead of by SMS. */
describe('the new-environment notice on the push device', () => {
  let rig: KaradenRig;
  let karaden: FakeKaraden;
  let pushService: FakePushService;
  let gw: TestGateway;
  let password: string;

  beforeAll(async () => {
    pushService = await startFakePushService();
    rig = await startKaradenRig({
      push: {
        webPush: { allowedEndpoints: [`${pushService.origin}/push/`], subject: 'mailto:ops@example.jp' },
      },
    });
    ({ karaden, gw } = rig);
    await setRules(gw, '/bk02/=ALL;;;newdevice=SMSOTP');
    password = await addUser(gw, 'hanako', { phone: '+819087654321' });
    const device = await enrolDevice(gw.runtime.gateway.push!, 'hanako');
    const subscriber = pushService.subscribe();
    const time = Date.now();
    const nonce = newNonce();
    const fields = { endpoint: subscriber.endpoint, p256dh: subscriber.p256dh, auth: subscriber.auth };
    const signature = await sign(device.keys.privateKey, subscribePayload(device.id, time, nonce, fields));
    const subscribed = await request(`${gw.url}/_sekisho/push/device/subscription`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        deviceId: device.id,
        time,
        nonce,
        signature,
        subscription: { endpoint: fields.endpoint, keys: { p256dh: fields.p256dh, auth: fields.auth } },
        locale: 'en',
      }),
    });
    await subscribed.body.dump();
    expect(subscribed.statusCode).toBe(200);
  });
  afterAll(async () => {
    await rig?.close();
    await pushService?.close();
  });

  it('is pushed to the device (decrypted by the fake push service), not sent by SMS', async () => {
    const where = from('192.0.2.44');
    const client = new FormClient(gw.url);
    const page = await client.get('/_sekisho/login?next=%2Fbk02%2F', where);
    const answer = await client.post(
      '/_sekisho/login',
      { _csrf: csrfField(page.body), username: 'hanako', password, next: '/bk02/' },
      where,
    );
    let otp = await client.get(String(answer.headers.location), where);
    for (let hops = 0; otp.status !== 200 && hops < 3; hops += 1)
      otp = await client.get(String(otp.headers.location), where);
    const sms = karaden.received.length;
    const code = codeIn(String(karaden.received.at(-1)?.message.body));
    const done = await client.post(
      '/_sekisho/mfa/SMSOTP',
      { _csrf: csrfField(otp.body), next: '/bk02/', otp: code },
      where,
    );
    expect(done.status).toBe(303);
    const [message] = await pushService.waitForMessages(1);
    expect(message?.payload).toMatchObject({
      type: 'notice',
      title: 'Sekisho: sign-in from a new environment',
    });
    expect(String(message?.payload.body)).toContain('192.0.2.44');
    expect(JSON.stringify(message?.payload)).not.toContain(code);
    const audited = async () =>
      (
        await gw.runtime.pool.query<{ detail: Record<string, unknown> }>(
          `SELECT detail FROM audit_events WHERE event = 'login.new_environment' AND user_id = 'hanako'`,
        )
      ).rows;
    await waitFor(async () => (await audited()).length === 1, 5000, 'the audit row');
    expect((await audited())[0]?.detail).toMatchObject({ notified: 'MAMORU' });
    expect(karaden.received.length).toBe(sms);
  });
});

/**
 * A passwordless push login is judged like any other: the approval does not make the place known
 * before the gateway has judged it (the session service remembers it, after judging).
 */
describe('newdevice= after a passwordless push login (MAMORU)', () => {
  let rig: KaradenRig;
  let karaden: FakeKaraden;
  let gw: TestGateway;
  let device: TestDevice;

  beforeAll(async () => {
    rig = await startKaradenRig({
      otp: { maxSendsPerWindow: 100, resendCooldownSeconds: 0 },
      // Several pushes to jiro here: above the default push-bombing cap of three.
      push: { maxPendingPerUser: 20 },
    });
    ({ karaden, gw } = rig);
    await setRules(gw, '/bk02/=ALL;;MAMORU;newdevice=SMSOTP');
    await addUser(gw, 'jiro', { phone: '+819011112222' });
    device = await enrolDevice(gw.runtime.gateway.push!, 'jiro');
  });
  afterAll(async () => {
    await rig?.close();
  });

  /** The ID, the phone's approval of the number shown, the tokens posted: where the gateway sends us next. */
  async function pushLogin(where: Record<string, string>, path: string) {
    const client = new FormClient(gw.url);
    const identify = await client.get(`/_sekisho/mfa/MAMORU?next=${encodeURIComponent(path)}`, where);
    expect(identify.status).toBe(200);
    const posted = await client.post(
      '/_sekisho/mfa/MAMORU',
      { _csrf: csrfField(identify.body), next: path, identify: '1', username: 'jiro' },
      where,
    );
    const wait = await client.get(String(posted.headers.location), where);
    const number = /id="push-number"[^>]*>(\d\d)</.exec(wait.body)?.[1] ?? '';
    const push = gw.runtime.gateway.push!;
    const inbox = await push.inbox(await signedInbox(device, Date.now()));
    const pending = inbox.kind === 'ok' ? inbox.requests.at(-1) : undefined;
    if (!pending) throw new Error('no pending push');
    const phone = { ip: '10.1.1.1', userAgent: 'phone' };
    expect(await push.respond(await signedAnswer(device, pending, 'approve', number), phone)).toEqual({
      kind: 'decided',
      outcome: 'approved',
    });
    const status = await client.get(`/_sekisho/mfa/MAMORU/status?next=${encodeURIComponent(path)}`, {
      ...where,
      accept: 'application/json',
    });
    const { fields } = JSON.parse(status.body) as { fields: Record<string, string> };
    const final = await client.post(
      '/_sekisho/mfa/MAMORU',
      { _csrf: csrfField(wait.body), next: path, username: 'jiro', ...fields },
      where,
    );
    expect(final.status).toBe(303);
    return { client, location: String(final.headers.location) };
  }

  async function noticeRows() {
    const { rows } = await gw.runtime.pool.query<{ ip: string; detail: Record<string, unknown> }>(
      `SELECT ip, detail FROM audit_events WHERE event = 'login.new_environment' AND user_id = 'jiro'`,
    );
    return rows;
  }

  it('from a new environment asks for the SMS code too, and tells the user', async () => {
    const where = from('198.51.100.20');
    const sent = karaden.received.length;
    const { client, location } = await pushLogin(where, '/bk02/');
    expect(location).toContain('/_sekisho/mfa');
    expect((await client.get('/bk02/', where)).status).toBe(302);
    // The step asked is the SMS code: its page, and a code sent to the user's phone.
    let step = await client.get(location, where);
    for (let hops = 0; step.status !== 200 && hops < 3; hops += 1)
      step = await client.get(String(step.headers.location), where);
    expect(step.body).toContain('action="/_sekisho/mfa/SMSOTP"');
    await waitFor(async () => (await noticeRows()).length === 1, 5000, 'the audit row');
    expect((await noticeRows())[0]).toMatchObject({ ip: '198.51.100.20', detail: { notified: 'SMSOTP' } });
    const notice = karaden.received.slice(sent).find((m) => m.message.body.includes('新しい環境'));
    expect(notice?.message.body).toContain('198.51.100.20');
  });

  it('from the environment the first login proved there, the push alone is enough and nothing is sent', async () => {
    const sent = karaden.received.length;
    const { client, location } = await pushLogin(from('198.51.100.20'), '/bk02/');
    expect(location).toBe('/bk02/');
    expect((await client.get('/bk02/', from('198.51.100.20'))).status).toBe(200);
    expect(karaden.received.length).toBe(sent);
    expect(await noticeRows()).toHaveLength(1);
  });

  it('a place is remembered while no rule asks, so a rule added later knows it', async () => {
    await setRules(gw, '/bk02/=ALL;;MAMORU');
    const where = from('198.51.100.21');
    expect((await pushLogin(where, '/bk02/')).location).toBe('/bk02/');
    await setRules(gw, '/bk02/=ALL;;MAMORU;newdevice=SMSOTP');
    expect((await pushLogin(where, '/bk02/')).location).toBe('/bk02/');
    expect((await pushLogin(from('198.51.100.22'), '/bk02/')).location).toContain('/_sekisho/mfa');
    // Nobody is told of a login no rule judged.
    expect((await noticeRows()).map((row) => row.ip)).not.toContain('198.51.100.21');
  });
});
