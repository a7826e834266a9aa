import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FactorActivations } from '../../src/core/factor-activation.ts';
import { RecoveryCodes } from '../../src/core/recovery-codes.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, setRules, startGateway, testSecret, type TestGateway } from '../support/gateway.ts';
import { enrolDevice } from '../support/push-harness.ts';
import { oathtool } from '../support/oathtool.ts';

/** The key the enrolment page shows as text (grouped by four). */
function keyOn(page: string): string {
  return (/<code id="totp-key">([^<]+)<\/code>/.exec(page)?.[1] ?? '').replace(/\s/g, '');
}

/**
 * "My authenticators" and the guard on changing them, through the real gateway: a password alone
 * never enrols a first factor, an activation link works once, a stale proof is asked again, and
 * the lost-phone path (recovery code, remove the SMS number, enrol an app) works end to end.
 */
describe('my authenticators and the enrolment guard', () => {
  const clock = new FakeClock(Date.UTC(2026, 11, 3, 10, 0, 0));
  let backend: FakeBackend;
  let gw: TestGateway;
  const passwords = new Map<string, string>();
  const deps = () => ({ ...gw.runtime.gateway, secret: testSecret, publicUrl: gw.url });

  beforeAll(async () => {
    backend = await startBackend();
    gw = await startGateway({
      clock,
      config: {
        backends: { bk01: { url: backend.url }, bk00: { url: backend.url } },
        sms: { provider: 'sandbox', sandbox: { enabled: true } },
      },
    });
    await setRules(gw, '/bk01/=ALL;;SMSOTP|TOTP', '/bk00/=ALL;;');
    passwords.set('ken', await addUser(gw, 'ken'));
    passwords.set('yuki', await addUser(gw, 'yuki', { phone: '+819012345678' }));
  });
  afterAll(async () => {
    await gw?.close();
    await backend?.close();
  });

  async function signedIn(id: string): Promise<FormClient> {
    const client = new FormClient(gw.url);
    expect((await client.login(id, passwords.get(id) ?? '', '/bk00/')).status).toBe(303);
    return client;
  }

  async function enrolTotp(client: FormClient, query = '') {
    const page = await client.get(`/_sekisho/me/authenticators/TOTP/enrol${query}`);
    if (page.status !== 200) return { page, answer: null, key: '' };
    expect(page.body).toContain('<svg');
    const key = keyOn(page.body);
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    const activation = /name="activation" value="([^"]+)"/.exec(page.body)?.[1];
    const answer = await client.post('/_sekisho/me/authenticators/TOTP/enrol', {
      _csrf: csrfField(page.body),
      otp: oathtool(key, clock.now()),
      ...(activation ? { activation } : {}),
    });
    return { page, answer, key };
  }

  it('refuses a first factor to a password-only session, and enrols it once from an activation link', async () => {
    const client = await signedIn('ken');
    const refused = await client.get('/_sekisho/me/authenticators/TOTP/enrol');
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('ヘルプデスク');
    const me = await client.get('/_sekisho/me');
    expect((await client.post('/_sekisho/me/recovery/generate', { _csrf: csrfField(me.body) })).status).toBe(
      403,
    );

    const { url } = await new FactorActivations({ ...deps(), repository: deps().factorActivations }).issue(
      'ken',
      {
        actor: 'helpdesk',
      },
    );
    const path = new URL(url).pathname + new URL(url).search;
    const landing = await client.get(path);
    expect(landing.status).toBe(200);
    const link = /href="([^"]*\/TOTP\/enrol\?activation=[^"]+)"/.exec(landing.body)?.[1] ?? '';
    const enrolled = await enrolTotp(client, link.slice(link.indexOf('?')).replace(/&amp;/g, '&'));
    expect(enrolled.answer?.status).toBe(303);
    expect(enrolled.answer?.headers.location).toBe('/_sekisho/me?notice=credential-enrolled');
    expect((await client.get(path)).status).toBe(403);

    const listed = await client.get('/_sekisho/me');
    expect(listed.body).toMatch(/data-method="TOTP"[\s\S]*data-credential=/);
    const { rows } = await gw.runtime.pool.query<{ event: string }>(
      "SELECT event FROM audit_events WHERE user_id = 'ken' AND event LIKE 'credential.%' ORDER BY id",
    );
    expect(rows.map((r) => r.event)).toEqual(['credential.activation_issued', 'credential.enrolled']);
  });

  it("showing the enrolment page again keeps its secret: two GETs, one QR code, and the first page's code enrols", async () => {
    passwords.set('nao', await addUser(gw, 'nao'));
    const client = await signedIn('nao');
    const { url } = await new FactorActivations({ ...deps(), repository: deps().factorActivations }).issue(
      'nao',
      { actor: 'helpdesk' },
    );
    const enrol = `/_sekisho/me/authenticators/TOTP/enrol${new URL(url).search}`;
    const first = await client.get(enrol);
    const second = await client.get(enrol);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const svg = (page: string) => /<svg[\s\S]*?<\/svg>/.exec(page)?.[0];
    expect(keyOn(second.body)).toBe(keyOn(first.body));
    expect(svg(second.body)).toBeDefined();
    expect(svg(second.body)).toBe(svg(first.body));
    const answer = await client.post('/_sekisho/me/authenticators/TOTP/enrol', {
      _csrf: csrfField(second.body),
      otp: oathtool(keyOn(first.body), clock.now()),
      activation: /name="activation" value="([^"]+)"/.exec(first.body)?.[1] ?? '',
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/_sekisho/me?notice=credential-enrolled');
    const me = await client.get('/_sekisho/me');
    expect(me.body).toMatch(/data-method="TOTP"[\s\S]*data-credential=/);
  });

  it('a refused change changes nothing: the step-up page is the whole answer', async () => {
    passwords.set('rin', await addUser(gw, 'rin'));
    const device = await enrolDevice(gw.runtime.gateway.push!, 'rin');
    const client = await signedIn('rin');
    const page = await client.get('/_sekisho/me');
    const removal = await client.post('/_sekisho/me/authenticators/remove', {
      _csrf: csrfField(page.body),
      method: 'MAMORU',
      id: device.id,
    });
    expect(removal.status).toBe(401);
    expect(removal.body).toContain('id="me-step-up"');
    const codes = await client.post('/_sekisho/me/recovery/generate', { _csrf: csrfField(page.body) });
    expect(codes.status).toBe(401);
    // Requests made after the answers: the handlers that answered must have stopped there.
    expect((await client.get('/_sekisho/me')).body).toContain(`data-credential="${device.id}"`);
    expect((await gw.runtime.gateway.push!.listDevices('rin'))[0]?.revokedAt).toBeNull();
    expect(await gw.runtime.gateway.recoveryCodes.countUnused('rin')).toBe(0);
    const { rows } = await gw.runtime.pool.query(
      "SELECT event FROM audit_events WHERE user_id = 'rin' AND event IN ('push.device_revoked', 'credential.removed', 'recovery.generated')",
    );
    expect(rows).toEqual([]);
  });

  it('asks a password-only or stale session to prove a held factor again, keeping the session', async () => {
    const client = await signedIn('ken');
    const stepUp = await client.get('/_sekisho/me/authenticators/TOTP/enrol');
    expect(stepUp.status).toBe(401);
    expect(stepUp.body).toContain('id="use-recovery-code"');
    const reprove = (/href="(\/_sekisho\/mfa\/TOTP\?[^"]*reprove=1)"/.exec(stepUp.body)?.[1] ?? '').replace(
      /&amp;/g,
      '&',
    );
    const page = await client.get(reprove);
    expect(page.status).toBe(200);
    const secret = (await gw.runtime.gateway.credentials.list('ken', 'TOTP'))[0];
    expect(secret).toBeDefined();
    // The test reads the sealed secret the way the plugin does, to answer as the app would.
    const key = gw.runtime.gateway.sealFor('plugin:TOTP').open(String(secret?.data.secret));
    clock.advance(30_000);
    const proved = await client.post('/_sekisho/mfa/TOTP', {
      _csrf: csrfField(page.body),
      next: '/_sekisho/me',
      otp: oathtool(key, clock.now()),
    });
    expect(proved.status).toBe(303);
    expect(proved.headers.location).toBe('/_sekisho/me');
    expect((await client.get('/_sekisho/me/authenticators/TOTP/enrol')).status).toBe(200);

    clock.advance(11 * 60_000);
    expect((await client.get('/_sekisho/me/authenticators/TOTP/enrol')).status).toBe(401);
    expect((await client.get('/_sekisho/me')).status).toBe(200);
    // The password proven again in the same session does not make the old TOTP proof recent.
    expect((await client.login('ken', passwords.get('ken') ?? '', '/_sekisho/me')).status).toBe(303);
    expect((await client.get('/_sekisho/me/authenticators/TOTP/enrol')).status).toBe(401);
  });

  it('lost phone: a recovery code, the SMS number removed, an app enrolled, then a login with the app', async () => {
    const codes = await new RecoveryCodes({ ...deps(), repository: deps().recoveryCodes }).generate('yuki', {
      actor: 'helpdesk',
    });
    const client = new FormClient(gw.url);
    const form = await client.get('/_sekisho/recovery?next=%2Fbk01%2F');
    const recovered = await client.post('/_sekisho/recovery', {
      _csrf: csrfField(form.body),
      next: '/bk01/',
      username: 'yuki',
      password: passwords.get('yuki') ?? '',
      recovery_code: codes[0] ?? '',
    });
    expect(recovered.status).toBe(200);

    const me = await client.get('/_sekisho/me');
    expect(me.body).toMatch(/data-method="SMSOTP"[\s\S]*data-credential="phone"/);
    expect(me.body).toContain('*5678');
    const removed = await client.post('/_sekisho/me/authenticators/remove', {
      _csrf: csrfField(me.body),
      method: 'SMSOTP',
      id: 'phone',
    });
    expect(removed.headers.location).toBe('/_sekisho/me?notice=credential-removed');
    expect((await gw.runtime.gateway.users.find('yuki'))?.phone).toBeNull();

    const { answer, key } = await enrolTotp(client);
    expect(answer?.status).toBe(303);

    clock.advance(30_000);
    const fresh = new FormClient(gw.url);
    await fresh.login('yuki', passwords.get('yuki') ?? '', '/bk01/');
    const page = await fresh.get('/_sekisho/mfa/TOTP?next=%2Fbk01%2F');
    const ok = await fresh.post('/_sekisho/mfa/TOTP', {
      _csrf: csrfField(page.body),
      next: '/bk01/',
      otp: oathtool(key, clock.now()),
    });
    expect(ok.headers.location).toBe('/bk01/');
    const { rows } = await gw.runtime.pool.query<{ event: string }>(
      "SELECT event FROM audit_events WHERE user_id = 'yuki' AND event IN ('recovery.used', 'credential.removed', 'credential.enrolled', 'SMSOTP.phone_removed') ORDER BY id",
    );
    expect(rows.map((r) => r.event)).toEqual([
      'recovery.used',
      'SMSOTP.phone_removed',
      'credential.removed',
      'credential.enrolled',
    ]);
  });
});
