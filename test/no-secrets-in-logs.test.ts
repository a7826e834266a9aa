import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type FakeBackend } from './support/backend.ts';
import { csrfField, FormClient } from './support/browser-client.ts';
import { addUser, setRules, startGateway, testSecret, type TestGateway } from './support/gateway.ts';

/** Logs are for operators: they must never carry a password, a code, a session ID or a secret. */
describe('what the gateway logs', () => {
  const lines: string[] = [];
  let backend: FakeBackend;
  let gw: TestGateway;
  let password: string;

  beforeAll(async () => {
    backend = await startBackend();
    gw = await startGateway({
      logLines: lines,
      config: {
        backends: { bk01: { url: backend.url } },
        sms: { provider: 'sandbox', sandbox: { enabled: true } },
      },
    });
    await setRules(gw, '/bk01/=ALL;;SMSOTP');
    password = await addUser(gw, 'taro', { phone: '+819012345678' });
  });
  afterAll(async () => {
    await gw?.close();
    await backend?.close();
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
});
