import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../support/browser-client.ts';
import { addUser, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import { karadenSettings, startFakeKaraden, type FakeKaraden } from '../fakes/karaden-server.ts';

/**
 * The README's failover list `[karaden, sandbox]`: while Karaden is down the sandbox "sends" live
 * codes. Its page must not show them: enabling the sandbox provider does not serve the page, only
 * `sms.sandbox.page` does (which the demo alone sets by itself).
 */
describe('a sandbox in a failover list keeps live codes off the web', () => {
  let karaden: FakeKaraden;
  let gw: TestGateway;
  let password: string;

  beforeAll(async () => {
    karaden = await startFakeKaraden();
    gw = await startGateway({
      config: {
        backends: { bk03: { url: 'http://127.0.0.1:9' } },
        sms: {
          provider: ['karaden', 'sandbox'],
          sandbox: { enabled: true },
          karaden: karadenSettings(karaden),
        },
      },
    });
    await setRules(gw, '/bk03/=ALL;;SMSOTP');
    password = await addUser(gw, 'taro', { phone: '+819012345678' });
  });
  afterAll(async () => {
    await gw?.close();
    await karaden?.close();
  });

  it('Karaden down: the code goes through the sandbox, and /_sekisho/sandbox/sms is not there', async () => {
    const client = new FormClient(gw.url);
    expect((await client.login('taro', password, '/bk03/')).status).toBe(303);
    karaden.failNext('server-error');
    const otpPage = await client.get('/_sekisho/mfa/SMSOTP?next=%2Fbk03%2F');
    // Sent: the failover worked (a failed send would be a 503 page).
    expect(otpPage.status).toBe(200);
    expect(otpPage.body).toContain('090-****-5678');
    const { rows } = await gw.runtime.pool.query<{ outcome: string; provider: string }>(
      `SELECT outcome, detail->>'provider' AS provider FROM audit_events
       WHERE event = 'SMSOTP.send' ORDER BY id`,
    );
    expect(rows).toEqual([
      { outcome: 'failure', provider: 'karaden' },
      { outcome: 'success', provider: 'sandbox' },
    ]);
    for (const path of ['/_sekisho/sandbox/sms', '/_sekisho/sandbox/sms.json']) {
      const page = await new FormClient(gw.url).get(path);
      expect(page.status, path).toBe(404);
      expect(page.body, path).not.toContain('+819012345678');
      expect(page.body, path).not.toContain('09012345678');
    }
  });
});
