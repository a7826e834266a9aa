import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import {
  deliveryReport,
  karadenSettings,
  postDeliveryCallback,
  startFakeKaraden,
  type FakeKaraden,
  type KaradenFault,
} from '../fakes/karaden-server.ts';
import { codeIn } from '../fakes/smsotp-harness.ts';

/** The SMS OTP flow of the IceWall report, end to end: gateway + plugin + a fake Karaden. */
describe('SMSOTP through the gateway', () => {
  let backend: FakeBackend;
  let karaden: FakeKaraden;
  let gw: TestGateway;
  let password: string;

  beforeAll(async () => {
    backend = await startBackend();
    karaden = await startFakeKaraden();
    gw = await startGateway({
      config: {
        backends: { bk01: { url: backend.url }, bk03: { url: backend.url } },
        sms: {
          provider: 'karaden',
          callbackSecret: 'callback-secret-0123456789',
          karaden: {
            ...karadenSettings(karaden),
            timeoutMs: 500,
          },
        },
        otp: { resendCooldownSeconds: 0, maxSendsPerWindow: 100 },
      },
    });
    await setRules(gw, '/bk01/=ALL;;', '/bk03/=ALL;;SMSOTP');
    password = await addUser(gw, 'taro', { phone: '+819012345678' });
    await addUser(gw, 'nophone', { password: 'nophone-password' });
  });
  afterAll(async () => {
    await gw?.close();
    await karaden?.close();
    await backend?.close();
  });
  beforeEach(() => {
    backend.seen.length = 0;
  });

  const lastCode = () => codeIn(String(karaden.received.at(-1)?.message.body));

  async function toOtpPage(client: FormClient) {
    const login = await client.login('taro', password, '/bk03/report');
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/_sekisho/mfa?next=%2Fbk03%2Freport');
    const chooser = await client.get(String(login.headers.location));
    expect(chooser.status).toBe(303);
    return client.get(String(chooser.headers.location));
  }

  it('password → SMS to the registered phone → code → the backend, with both methods in the header', async () => {
    const client = new FormClient(gw.url);
    const sent = karaden.received.length;
    const otpPage = await toOtpPage(client);
    expect(otpPage.status).toBe(200);
    expect(otpPage.body).toContain('<p class="step-phone" id="sms-phone">090-****-5678</p>');
    expect(otpPage.body).not.toContain('09012345678');
    expect(karaden.received).toHaveLength(sent + 1);
    expect(karaden.received.at(-1)?.message.to).toBe('09012345678');
    expect(backend.seen).toHaveLength(0);
    const answer = await client.post('/_sekisho/mfa/SMSOTP', {
      _csrf: csrfField(otpPage.body),
      next: '/bk03/report',
      otp: lastCode(),
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/bk03/report');
    const app = await client.get('/bk03/report');
    expect(JSON.parse(app.body).headers['x-remote-auth-methods']).toBe('password,SMSOTP');
  });

  it('steps up a password-only session without asking for the password again, with a new session ID', async () => {
    const client = new FormClient(gw.url);
    await client.login('taro', password, '/bk01/');
    const before = client.cookieHeader();
    const gate = await client.get('/bk03/x');
    expect(gate.status).toBe(302);
    expect(gate.headers.location).toBe('/_sekisho/mfa?next=%2Fbk03%2Fx');
    const otpPage = await client.get('/_sekisho/mfa/SMSOTP?next=%2Fbk03%2Fx');
    expect(otpPage.body).not.toContain('name="password"');
    await client.post('/_sekisho/mfa/SMSOTP', {
      _csrf: csrfField(otpPage.body),
      next: '/bk03/x',
      otp: lastCode(),
    });
    expect(client.cookieHeader()).not.toBe(before);
    expect((await client.get('/bk03/x')).status).toBe(200);
  });

  it('refuses a wrong code, then kills the challenge after maxAttempts; a replayed code is refused', async () => {
    const client = new FormClient(gw.url);
    const otpPage = await toOtpPage(client);
    const code = lastCode();
    const wrong = code === '000000' ? '111111' : '000000';
    for (let attempt = 1; attempt <= 5; attempt++) {
      const page = await client.post('/_sekisho/mfa/SMSOTP', {
        _csrf: csrfField(otpPage.body),
        next: '/bk03/report',
        otp: wrong,
      });
      expect(page.status).not.toBe(303);
    }
    const late = await client.post('/_sekisho/mfa/SMSOTP', {
      _csrf: csrfField(otpPage.body),
      next: '/bk03/report',
      otp: code,
    });
    expect(late.status).not.toBe(303);
    expect((await client.get('/bk03/report')).status).toBe(302);

    const other = new FormClient(gw.url);
    const fresh = await toOtpPage(other);
    const good = lastCode();
    const form = { _csrf: csrfField(fresh.body), next: '/bk03/report', otp: good };
    expect((await other.post('/_sekisho/mfa/SMSOTP', form)).status).toBe(303);
    const replay = new FormClient(gw.url);
    const replayPage = await toOtpPage(replay);
    expect(
      (
        await replay.post('/_sekisho/mfa/SMSOTP', {
          _csrf: csrfField(replayPage.body),
          next: '/bk03/report',
          otp: good,
        })
      ).status,
    ).not.toBe(303);
    expect((await other.get('/bk03/report')).status).toBe(200);
    expect((await replay.get('/bk03/report')).status).toBe(302);
    expect(backend.seen.filter((s) => s.url.startsWith('/report'))).toHaveLength(1);
  });

  const faults: KaradenFault[] = ['server-error', 'rate-limited', 'garbage', 'hang'];
  for (const fault of faults) {
    it(`answers a provider fault (${fault}) with a calm page and a retry, and proxies nothing`, async () => {
      const client = new FormClient(gw.url);
      karaden.failNext(fault);
      const page = await toOtpPage(client);
      expect(page.status).toBe(503);
      expect(page.body).toContain('SMS');
      expect(page.body).toContain('/_sekisho/mfa/SMSOTP?next=');
      expect((await client.get('/bk03/report')).status).toBe(302);
      expect(backend.seen).toHaveLength(0);
      const retry = await client.get('/_sekisho/mfa/SMSOTP?next=%2Fbk03%2Freport');
      expect(retry.status).toBe(200);
    });
  }

  it('tells a user without a phone to contact the help desk', async () => {
    const client = new FormClient(gw.url);
    await client.login('nophone', 'nophone-password', '/bk03/');
    const page = await client.get('/_sekisho/mfa/SMSOTP?next=%2Fbk03%2F');
    expect(page.status).toBe(403);
    expect(page.body).toContain('ヘルプデスク');
    expect(backend.seen).toHaveLength(0);
  });

  it('records the delivery result Karaden calls back with, against the send it belongs to', async () => {
    const client = new FormClient(gw.url);
    await toOtpPage(client);
    const message = karaden.received.at(-1)?.message;
    if (!message) throw new Error('no message sent');
    const url = `${gw.url}/_sekisho/sms/callback/callback-secret-0123456789`;
    expect(
      (await postDeliveryCallback(`${gw.url}/_sekisho/sms/callback/wrong`, deliveryReport(message))).status,
    ).toBe(404);
    expect((await postDeliveryCallback(url, { object: 'message' })).status).toBe(400);
    expect((await postDeliveryCallback(url, deliveryReport(message))).status).toBe(200);
    const { rows } = await gw.runtime.pool.query(
      `SELECT outcome, detail FROM audit_events WHERE event = 'SMSOTP.delivery' ORDER BY id DESC LIMIT 1`,
    );
    expect(rows[0]).toMatchObject({
      outcome: 'success',
      detail: { messageId: message.id, sent_result: 'received' },
    });
  });

  it('refuses a rule naming a method no plugin offers', async () => {
    await expect(gw.admin.setRule('/bk04/=ALL;;NOSUCHMETHOD', 'test')).rejects.toThrow(/methods/);
  });
});
