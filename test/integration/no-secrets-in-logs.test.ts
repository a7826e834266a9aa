import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackedGateway, type BackedGateway } from '../support/backed-gateway.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, testSecret, type TestGateway } from '../support/gateway.ts';
import { codeOf, enrolDevice, signedAnswer, signedInbox } from '../support/push-harness.ts';

/** Logs are for operators: they must never carry a password, a code, a session ID or a secret. */
describe('what the gateway logs', () => {
  const lines: string[] = [];
  let gw: TestGateway;
  let backed: BackedGateway;
  let password: string;

  beforeAll(async () => {
    backed = await startBackedGateway({
      logLines: lines,
      config: { sms: { provider: 'sandbox', sandbox: { enabled: true, page: true } } },
      backends: ['bk01', 'bk02'],
      rules: ['/bk01/=ALL;;SMSOTP', '/bk02/=ALL;;MAMORU'],
    });
    gw = backed.gw;
    password = await addUser(gw, 'taro', { phone: '+819012345678' });
  });
  afterAll(async () => {
    await backed?.close();
  });

  it('holds no password, OTP, session ID, secret, full phone number or query string', async () => {
    const client = new FormClient(gw.url);
    await client.login('taro', 'a wrong password', '/bk01/');
    await client.login('taro', password, '/bk01/?apikey=QUERYSECRET');
    const otpPage = await client.get('/_sekisho/mfa/SMSOTP?next=%2Fbk01%2F%3Fapikey%3DQUERYSECRET');
    const inbox = JSON.parse((await client.get('/_sekisho/sandbox/sms.json')).body) as {
      messages: { body: string }[];
    };
    const code = /#(\d+)$/.exec(inbox.messages[0]?.body ?? '')?.[1] ?? 'no-code';
    await client.post('/_sekisho/mfa/SMSOTP', { _csrf: csrfField(otpPage.body), next: '/bk01/', otp: code });
    expect((await client.get('/bk01/?apikey=QUERYSECRET')).status).toBe(200);

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(5);
    const sessionId = [...client.cookies].find(([name]) => name.includes('sekisho_sid'))?.[1] ?? 'missing';
    for (const secret of [
      password,
      'a wrong password',
      code,
      sessionId,
      testSecret,
      '09012345678',
      '+819012345678',
      'QUERYSECRET',
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(log).toContain('"path":"/bk01/"');
  });

  it('holds no activation code, push token, challenge, signature or flow cookie', async () => {
    await addUser(gw, 'hanako');
    const push = gw.runtime.gateway.push!;
    const activation = await push.createActivation('hanako', { actor: 'test' });
    const device = await enrolDevice(push, 'hanako');
    const client = new FormClient(gw.url);
    const identify = await client.get('/_sekisho/mfa/MAMORU?next=%2Fbk02%2F');
    await client.post('/_sekisho/mfa/MAMORU', {
      _csrf: csrfField(identify.body),
      next: '/bk02/',
      identify: '1',
      username: 'hanako',
    });
    const wait = await client.get('/_sekisho/mfa/MAMORU?next=%2Fbk02%2F');
    const number = /id="push-number"[^>]*>(\d\d)</.exec(wait.body)?.[1] ?? '';
    const inbox = await push.inbox(await signedInbox(device, Date.now()));
    const request = inbox.kind === 'ok' ? inbox.requests[0] : undefined;
    const answer = await signedAnswer(device, request!, 'approve', number);
    await push.respond(answer, { ip: '10.0.0.1', userAgent: 'phone' });
    const status = await client.get('/_sekisho/mfa/MAMORU/status?next=%2Fbk02%2F', {
      accept: 'application/json',
    });
    const fields = (JSON.parse(status.body) as { fields: Record<string, string> }).fields;
    const flowCookie = client.cookies.get('sekisho_flow') ?? 'missing';
    const done = await client.post('/_sekisho/mfa/MAMORU', {
      _csrf: csrfField(wait.body),
      next: '/bk02/',
      username: 'hanako',
      ...fields,
    });
    expect(done.status).toBe(303);

    const log = lines.join('');
    expect(log).toContain('push.tokens_verified');
    for (const secret of [
      codeOf(activation.url),
      fields.push_token1 ?? 'missing',
      fields.push_token2 ?? 'missing',
      request?.challenge ?? 'missing',
      answer.signature,
      flowCookie,
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});
