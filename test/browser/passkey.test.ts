import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, type TestGateway } from '../support/gateway.ts';
import {
  addVirtualAuthenticator,
  provisionTotpFor,
  startPasskeyRig,
  type PasskeyRig,
} from '../support/passkey-rig.ts';
import { signAssertion, type VirtualCredential } from '../support/software-passkey.ts';
import { oathtool } from '../support/oathtool.ts';

interface Echo {
  readonly url: string;
  readonly headers: Record<string, string>;
}

/** The echoing backend's view of the request the page shows. */
async function echoOf(page: Page): Promise<Echo> {
  return JSON.parse((await page.locator('body').textContent()) ?? '{}') as Echo;
}

/** The `amr` claim of the assertion the backend received (its signature is another suite's business). */
function amrOf(echo: Echo): string[] {
  const token = echo.headers['x-remote-assertion'] ?? '';
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  return payload.amr as string[];
}

/**
 * Passkeys in real Chromium with the DevTools protocol's virtual authenticator: added from
 * /_sekisho/me, then used alone (no ID typed) on a PASSKEY rule, as a step-up after a password,
 * and refused when the user was not verified, when a clone answers with a stale counter, and when
 * the assertion was made for another origin. A ceremony begun on one instance ends on another.
 */
describe('passkeys in a real browser', () => {
  let rig: PasskeyRig;
  let gw: TestGateway;
  let password: string;
  /** The passkey as the first authenticator made it, copied into later browsers' authenticators. */
  let passkey: VirtualCredential & { isResidentCredential: boolean };

  beforeAll(async () => {
    rig = await startPasskeyRig({
      apps: ['portal', 'keiri', 'soumu'],
      rules: ['/portal/=ALL;;TOTP', '/keiri/=ALL;;PASSKEY', '/soumu/=ALL;;'],
    });
    gw = rig.gw;
    password = await addUser(gw, 'hanako');
  });
  afterAll(async () => {
    await rig?.close();
  });

  /** A fresh browser with a virtual authenticator, holding `credentials` (copies of a passkey). */
  async function browserWith(
    credentials: readonly (VirtualCredential & { isResidentCredential: boolean })[],
    options: { isUserVerified?: boolean; locale?: string } = {},
  ): Promise<{ context: BrowserContext; page: Page; cdp: CDPSession; authenticatorId: string }> {
    const context = await rig.browser.newContext({ locale: options.locale ?? 'ja-JP' });
    const page = await context.newPage();
    const { cdp, authenticatorId } = await addVirtualAuthenticator(page, options);
    for (const credential of credentials)
      await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    return { context, page, cdp, authenticatorId };
  }

  /** Takes the passkey back from a browser that used it (its counter moved on), and closes it. */
  async function keepPasskey(browser: { context: BrowserContext; cdp: CDPSession; authenticatorId: string }) {
    const { credentials } = await browser.cdp.send('WebAuthn.getCredentials', {
      authenticatorId: browser.authenticatorId,
    });
    const used = credentials.find((c) => c.credentialId === passkey.credentialId);
    if (!used) throw new Error('the passkey is gone from the authenticator');
    expect(used.signCount).toBeGreaterThan(passkey.signCount);
    passkey = used as typeof passkey;
    await browser.context.close();
  }

  it('adds a passkey from /_sekisho/me after a fresh proof, names it, and lists it', async () => {
    const secret = await provisionTotpFor(gw, 'hanako');
    const { context, page, cdp, authenticatorId } = await browserWith([]);
    await page.goto(`${gw.url}/portal/`);
    await page.fill('input[name=username]', 'hanako');
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForSelector('input[name=otp]');
    await page.fill('input[name=otp]', oathtool(secret));
    await page.click('button[type=submit]');
    await page.waitForURL(`${gw.url}/portal/`);

    await page.goto(`${gw.url}/_sekisho/me`);
    await page.click('#add-passkey');
    await page.waitForURL(`${gw.url}/_sekisho/me?notice=credential-enrolled`);
    const section = page.locator('section[data-method=PASSKEY] li.me-item');
    expect(await section.count()).toBe(1);
    expect(await section.locator('strong').textContent()).toBe('パスキー');

    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    const [made] = credentials;
    expect(made?.isResidentCredential).toBe(true);
    expect(made?.rpId).toBe('localhost');
    passkey = made as typeof passkey;

    await section.locator('form.rename input[name=name]').fill('会社のノートPC');
    await section.locator('form.rename button').click();
    await page.waitForURL(`${gw.url}/_sekisho/me?notice=credential-renamed`);
    expect(await section.locator('strong').textContent()).toBe('会社のノートPC');
    await context.close();
  });

  it('logs in with the passkey alone on a PASSKEY rule, no ID typed; the backend sees PASSKEY and hwk', async () => {
    const used = await browserWith([passkey], { locale: 'en-US' });
    const { page } = used;
    await page.goto(`${gw.url}/keiri/`);
    // The ID-less page starts the ceremony at once; the authenticator answers, the form posts.
    await page.waitForURL(`${gw.url}/keiri/`);
    const echo = await echoOf(page);
    expect(echo.headers['x-remote-user']).toBe('hanako');
    expect(echo.headers['x-remote-auth-methods']).toBe('PASSKEY');
    expect(amrOf(echo)).toEqual(['hwk', 'user', 'PASSKEY']);
    // A password-only path still asks for the password: a passkey is not one.
    await page.goto(`${gw.url}/soumu/`);
    expect(page.url()).toContain('/_sekisho/login');
    await keepPasskey(used);
  });

  it('offers "sign in with a passkey" on the login page and logs in from its button', async () => {
    // No passkey in the authenticator yet: the autofill request the page makes waits in vain.
    const used = await browserWith([], { locale: 'en-US' });
    const { page, cdp, authenticatorId } = used;
    await page.goto(`${gw.url}/_sekisho/login?next=%2Fkeiri%2F`);
    expect(await page.locator('#passkey-login').textContent()).toBe('Sign in with a passkey');
    expect(await page.locator('#username').getAttribute('autocomplete')).toBe('username webauthn');
    await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: passkey });
    await page.click('#passkey-login');
    await page.waitForURL(`${gw.url}/keiri/`);
    expect((await echoOf(page)).headers['x-remote-user']).toBe('hanako');
    await keepPasskey(used);
  });

  it('signs in from the username field’s autofill (conditional UI) on the login page', async () => {
    // The virtual authenticator answers an autofill request at once, as a user picking it would.
    const used = await browserWith([passkey]);
    await used.page.goto(`${gw.url}/_sekisho/login?next=%2Fkeiri%2F`);
    await used.page.waitForURL(`${gw.url}/keiri/`);
    expect((await echoOf(used.page)).headers['x-remote-auth-methods']).toBe('PASSKEY');
    await keepPasskey(used);
  });

  it('asks a password session for the passkey only (step-up), keeping what it proved', async () => {
    const used = await browserWith([passkey]);
    const { page } = used;
    await page.goto(`${gw.url}/soumu/`);
    await page.fill('input[name=username]', 'hanako');
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${gw.url}/soumu/`);
    await page.goto(`${gw.url}/keiri/`);
    await page.waitForURL(`${gw.url}/keiri/`);
    const echo = await echoOf(page);
    expect(echo.headers['x-remote-auth-methods']).toBe('password,PASSKEY');
    expect(amrOf(echo)).toEqual(['pwd', 'hwk', 'user', 'password', 'PASSKEY']);
    await keepPasskey(used);
  });

  it('refuses an authenticator that did not verify the user', async () => {
    const { context, page } = await browserWith([passkey], { isUserVerified: false });
    await page.goto(`${gw.url}/keiri/`);
    await expect.poll(() => page.locator('#passkey-status.error').count()).toBe(1);
    expect(page.url()).toContain('/_sekisho/mfa/PASSKEY');
    const api = await context.request.get(`${gw.url}/keiri/`, { headers: { accept: 'application/json' } });
    expect(api.status()).toBe(401);
    await context.close();
  });

  it('refuses a clone that answers with a stale signature counter', async () => {
    // The passkey has been used since it was copied: the gateway holds a higher counter.
    const clone = { ...passkey, signCount: 0 };
    const { context, page } = await browserWith([clone]);
    await page.goto(`${gw.url}/keiri/`);
    await page.waitForSelector('p.error[role=alert]');
    expect(await page.locator('p.error[role=alert]').textContent()).toBe(
      'パスキーを確認できませんでした。もう一度お試しください。',
    );
    expect(page.url()).toBe(`${gw.url}/_sekisho/mfa/PASSKEY`);
    const api = await context.request.get(`${gw.url}/keiri/`, { headers: { accept: 'application/json' } });
    expect(api.status()).toBe(401);
    await context.close();
  });

  it('finishes on one instance a ceremony another instance began', async () => {
    const other = await rig.second();
    const used = await browserWith([passkey]);
    const { page } = used;
    let served = 0;
    // The login page's challenge comes from the second instance; the answer is posted to the first.
    await page.route('**/_sekisho/passkey/options', async (route) => {
      served += 1;
      const response = await route.fetch({ url: `${other.url}/_sekisho/passkey/options` });
      await route.fulfill({ response });
    });
    await page.goto(`${gw.url}/keiri/`);
    await page.waitForURL(`${gw.url}/keiri/`);
    expect(served).toBe(1);
    expect((await echoOf(page)).headers['x-remote-user']).toBe('hanako');
    await keepPasskey(used);
  });

  describe('checked by the server, whatever the browser does', () => {
    /** A fresh challenge, as the ID-less page's script fetches one. */
    async function challengeFrom(client: FormClient): Promise<string> {
      const answer = await client.post('/_sekisho/passkey/options', {}, { accept: 'application/json' });
      expect(answer.status).toBe(200);
      return (JSON.parse(answer.body) as { challenge: string }).challenge;
    }

    async function post(assertion: (challenge: string) => object) {
      const client = new FormClient(gw.url);
      const page = await client.get('/_sekisho/mfa/PASSKEY?next=%2Fkeiri%2F');
      const challenge = await challengeFrom(client);
      const answer = await client.post('/_sekisho/mfa/PASSKEY', {
        _csrf: csrfField(page.body),
        next: '/keiri/',
        discover: '1',
        response: JSON.stringify(assertion(challenge)),
      });
      return { answer, client };
    }

    const rp = () => ({ rpId: 'localhost', origin: gw.url });

    it('accepts a well-made assertion (the control for the two below)', async () => {
      const signCount = 1000;
      const { answer, client } = await post((c: string) =>
        signAssertion(passkey, c, { ...rp(), userVerified: true, signCount }),
      );
      expect(answer.status).toBe(303);
      expect(answer.headers.location).toBe('/keiri/');
      expect((await client.get('/keiri/', { accept: 'application/json' })).status).toBe(200);
    });

    it('refuses an assertion made for another origin (a phishing page)', async () => {
      const { answer, client } = await post((c: string) =>
        signAssertion(passkey, c, {
          rpId: 'localhost',
          origin: 'http://localhost.evil.example',
          userVerified: true,
          signCount: 2000,
        }),
      );
      expect(answer.status).toBe(401);
      expect((await client.get('/keiri/', { accept: 'application/json' })).status).toBe(401);
    });

    it('refuses an assertion without user verification', async () => {
      const { answer } = await post((c: string) =>
        signAssertion(passkey, c, { ...rp(), userVerified: false, signCount: 3000 }),
      );
      expect(answer.status).toBe(401);
    });

    it('takes a challenge once: the same assertion posted again is refused', async () => {
      const client = new FormClient(gw.url);
      const page = await client.get('/_sekisho/mfa/PASSKEY?next=%2Fkeiri%2F');
      const challenge = await challengeFrom(client);
      const form = {
        _csrf: csrfField(page.body),
        next: '/keiri/',
        discover: '1',
        response: JSON.stringify(
          signAssertion(passkey, challenge, { ...rp(), userVerified: true, signCount: 4000 }),
        ),
      };
      expect((await client.post('/_sekisho/mfa/PASSKEY', form)).status).toBe(303);
      expect((await new FormClient(gw.url).post('/_sekisho/mfa/PASSKEY', form)).status).not.toBe(303);
    });
  });

  it('removes the passkey from /_sekisho/me (proved a moment ago with it); it then signs nobody in; all audited', async () => {
    // The hand-signed assertions above moved the stored counter far ahead of the authenticator's.
    passkey = { ...passkey, signCount: 10_000 };
    const used = await browserWith([passkey]);
    const { page } = used;
    await page.goto(`${gw.url}/keiri/`);
    await page.waitForURL(`${gw.url}/keiri/`);
    await page.goto(`${gw.url}/_sekisho/me`);
    await page.locator('section[data-method=PASSKEY] li.me-item form[action$="/remove"] button').click();
    await page.waitForURL(`${gw.url}/_sekisho/me?notice=credential-removed`);
    expect(await page.locator('section[data-method=PASSKEY] li.me-item').count()).toBe(0);
    await keepPasskey(used);

    const again = await browserWith([passkey]);
    await again.page.goto(`${gw.url}/keiri/`);
    await again.page.waitForSelector('p.error[role=alert]');
    expect(again.page.url()).toBe(`${gw.url}/_sekisho/mfa/PASSKEY`);
    await again.context.close();

    const trail = await gw.runtime.gateway.auditTrail.query({ user: 'hanako' }, { limit: 200, offset: 0 });
    const events = trail.map((row) => `${row.event}:${row.outcome}:${String(row.detail.reason ?? '')}`);
    expect(events).toEqual(
      expect.arrayContaining([
        'PASSKEY.registered:success:',
        'credential.enrolled:success:',
        'credential.renamed:success:',
        'PASSKEY.check:success:',
        'PASSKEY.check:failure:stale-counter',
        'PASSKEY.check:failure:invalid',
        'credential.removed:success:',
      ]),
    );
  });
});
