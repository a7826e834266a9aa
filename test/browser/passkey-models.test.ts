import { afterEach, describe, expect, it } from 'vitest';
import { addUser } from '../support/gateway.ts';
import {
  addVirtualAuthenticator,
  provisionTotpFor,
  startPasskeyRig,
  type PasskeyRig,
} from '../support/passkey-rig.ts';
import { oathtool } from '../support/oathtool.ts';

/** The AAGUID Chromium's virtual authenticator reports. */
const VIRTUAL_AAGUID = '01020304-0506-0708-0102-030405060708';

/** `plugins.PASSKEY.allowedAaguids`: only the listed authenticator models may be registered. */
describe('passkeys limited to certain authenticator models', () => {
  let rig: PasskeyRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  /** Signs in with password and TOTP, adds a passkey from /_sekisho/me; returns the page it ends on. */
  async function enrol(allowedAaguids: string[]) {
    rig = await startPasskeyRig({
      apps: ['portal'],
      rules: ['/portal/=ALL;;TOTP'],
      config: { plugins: { PASSKEY: { allowedAaguids } } },
    });
    const { gw } = rig;
    const password = await addUser(gw, 'jiro');
    const secret = await provisionTotpFor(gw, 'jiro');
    const context = await rig.browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await addVirtualAuthenticator(page);
    await page.goto(`${gw.url}/portal/`);
    await page.fill('input[name=username]', 'jiro');
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForSelector('input[name=otp]');
    await page.fill('input[name=otp]', oathtool(secret));
    await page.click('button[type=submit]');
    await page.waitForURL(`${gw.url}/portal/`);
    await page.goto(`${gw.url}/_sekisho/me`);
    // The enrolment page runs the ceremony and posts its answer: what matters is what comes back.
    const posted = page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().endsWith('/authenticators/PASSKEY/enrol'),
    );
    await page.click('#add-passkey');
    await posted;
    await page.waitForLoadState();
    return { gw, page };
  }

  it('registers a listed model, asking for its attestation', async () => {
    const { page } = await enrol([VIRTUAL_AAGUID.toUpperCase()]);
    await page.waitForURL(/notice=credential-enrolled/);
    const rows = await rig?.gw.runtime.gateway.auditTrail.query(
      { user: 'jiro', event: 'PASSKEY.registered' },
      { limit: 5, offset: 0 },
    );
    expect(rows?.[0]?.detail).toMatchObject({ aaguid: VIRTUAL_AAGUID });
    expect(rows?.[0]?.detail.attestation).not.toBe('none');
  });

  it('refuses a model that is not listed', async () => {
    const { page } = await enrol(['00000000-0000-0000-0000-00000000abcd']);
    await expect
      .poll(() => page.locator('main').textContent())
      .toContain("Your organisation's settings do not allow this authenticator model.");
    expect(page.url()).toContain('/_sekisho/me/authenticators/PASSKEY/enrol');
    await page.goto(`${rig?.gw.url}/_sekisho/me`);
    expect(await page.locator('section[data-method=PASSKEY] li.me-item').count()).toBe(0);
  });
});
