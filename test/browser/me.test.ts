import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type TestGateway } from '../support/gateway.ts';
import { startIntranetBrowser, type IntranetBrowser } from '../support/intranet-browser.ts';

/** The self-service page in real Chromium: two browsers of one user, and a phone change. */
describe('/_sekisho/me in a real browser', () => {
  let browser: Browser;
  let gw: TestGateway;
  let rig: IntranetBrowser;
  let password: string;

  beforeAll(async () => {
    rig = await startIntranetBrowser({
      apps: ['portal'],
      config: { sms: { provider: 'sandbox', sandbox: { enabled: true, page: true } } },
      rules: ['/portal/=ALL;;'],
    });
    ({ gw, browser } = rig);
    password = await addUser(gw, 'hanako', { phone: '+819011112222' });
  });
  afterAll(async () => {
    await rig?.close();
  });

  async function logIn(locale: 'ja-JP' | 'en-US'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    await page.goto(`${gw.url}/portal/`);
    await page.fill('input[name=username]', 'hanako');
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${gw.url}/portal/`);
    expect(await page.content()).toContain('hanako');
    return { context, page };
  }

  it('ends the other browser’s session from /_sekisho/me, and that browser is refused at once', async () => {
    const a = await logIn('ja-JP');
    const b = await logIn('en-US');
    await a.page.goto(`${gw.url}/_sekisho/me`);
    await expect.poll(() => a.page.locator('#me-sessions li').count()).toBe(2);
    expect(await a.page.locator('li.current #me-this-session').textContent()).toBe('このセッション');

    await a.page.click('li.me-item:not(.current) button[type=submit]');
    await a.page.waitForURL(`${gw.url}/_sekisho/me?notice=session-ended`);
    expect(await a.page.locator('#me-notice').textContent()).toBe('セッションを終了しました。');
    expect(await a.page.locator('#me-sessions li').count()).toBe(1);

    // B's very next request: the browser is sent to log in, an API client gets 401.
    const html = await b.context.request.get(`${gw.url}/portal/`, {
      headers: { accept: 'text/html' },
      maxRedirects: 0,
    });
    expect(html.status()).toBe(302);
    expect(html.headers().location).toBe('/_sekisho/login?next=%2Fportal%2F');
    const api = await b.context.request.get(`${gw.url}/portal/`, { headers: { accept: 'application/json' } });
    expect(api.status()).toBe(401);
    await b.page.goto(`${gw.url}/portal/`);
    expect(b.page.url()).toContain('/_sekisho/login');

    // A goes on as before.
    await a.page.goto(`${gw.url}/portal/`);
    expect(a.page.url()).toBe(`${gw.url}/portal/`);
    await a.context.close();
    await b.context.close();
  });

  it('changes the phone number with the password and the code sent to the old number (English)', async () => {
    const { context, page } = await logIn('en-US');
    await page.goto(`${gw.url}/_sekisho/me`);
    expect(await page.locator('h1').textContent()).toBe('My account');
    expect(await page.locator('#me-phone').textContent()).toBe('+********2222');
    await page.click('a[href="/_sekisho/me/phone"]');
    await page.fill('input[name=phone]', '080-3333-4444');
    await page.fill('input[name=password]', password);
    await page.click('#me-phone-form button[type=submit]');
    await page.waitForSelector('input[name=otp]');
    expect(await page.locator('h1').textContent()).toBe('Confirm the new phone number');
    expect(await page.locator('#sms-phone').textContent()).toBe('+********2222');

    const inbox = await context.newPage();
    await inbox.goto(`${gw.url}/_sekisho/sandbox/sms`);
    expect(await inbox.locator('.sms-to').first().textContent()).toBe('+819011112222');
    const code = /#(\d{6})/.exec((await inbox.locator('.sms-body').first().textContent()) ?? '')?.[1];
    expect(code).toMatch(/^\d{6}$/);

    await page.fill('input[name=otp]', code ?? '');
    await page.locator('input[name=otp]').press('Enter');
    await page.waitForURL(`${gw.url}/_sekisho/me?notice=phone-changed`);
    expect(await page.locator('#me-notice').textContent()).toBe('Your phone number was changed.');
    expect(await page.locator('#me-phone').textContent()).toBe('+********4444');
    expect((await gw.runtime.gateway.users.find('hanako'))?.phone).toBe('+818033334444');
    await context.close();
  });
});
