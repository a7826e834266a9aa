import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type TestGateway } from '../support/gateway.ts';
import { startIntranetBrowser, type IntranetBrowser } from '../support/intranet-browser.ts';
import { DESKTOP, keepScreenshot, PHONE, seriousAxeViolations } from '../support/page-checks.ts';

const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="32" viewBox="0 0 96 32">
<rect width="96" height="32" rx="6" fill="#fff"/><circle cx="16" cy="16" r="10" fill="#0b57d0"/>
<text x="32" y="22" font-size="14" font-family="sans-serif" fill="#222">SAMPLE</text></svg>`;

const BRANDING = {
  name: { ja: '株式会社サンプル 社内ポータル', en: 'Sample Corp. intranet' },
  helpDesk: { ja: '情報システム部 ヘルプデスク 内線 1234', en: 'IT help desk, extension 1234' },
  forgotPasswordUrl: '/portal/password-reset',
};

const SIZES = { desktop: DESKTOP, phone: PHONE } as const;

/**
 * The login page as a new user meets it in Chromium: the organisation's name, logo and help desk,
 * a language switch that sticks, the ID typed the way phones and IMEs type it, and the focus on the
 * password after a wrong one.
 */
describe('the login page in a real browser', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sekisho-login-page-'));
  let rig: IntranetBrowser;
  let gw: TestGateway;
  let browser: Browser;
  let demoPassword: string;
  let kanakoPassword: string;

  beforeAll(async () => {
    const logo = join(dir, 'logo.svg');
    writeFileSync(logo, LOGO_SVG);
    rig = await startIntranetBrowser({
      apps: ['portal'],
      rules: ['/portal/=ALL;;'],
      config: { branding: { ...BRANDING, logo }, password: { maxFailures: 3, lockoutSeconds: 900 } },
    });
    ({ gw, browser } = rig);
    demoPassword = await addUser(gw, 'demo');
    kanakoPassword = await addUser(gw, 'kanako');
  });
  afterAll(async () => {
    await rig?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(locale: 'ja' | 'en', size: keyof typeof SIZES = 'desktop') {
    const context = await browser.newContext({
      locale: locale === 'ja' ? 'ja-JP' : 'en-US',
      viewport: SIZES[size],
      ...(size === 'phone' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    });
    const page = await context.newPage();
    await page.goto(`${gw.url}/portal/`);
    await page.waitForURL(/\/_sekisho\/login\?next=%2Fportal%2F$/);
    return { context, page };
  }

  async function logIn(page: Page, id: string, password: string) {
    await page.fill('#username', id);
    await page.fill('#password', password);
    await page.click('button[type=submit]');
  }

  /** Nothing wider than the window: no sideways scrolling on a phone. */
  function scrollsSideways(page: Page): Promise<boolean> {
    return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  }

  for (const locale of ['ja', 'en'] as const) {
    for (const size of ['desktop', 'phone'] as const) {
      it(`shows the organisation's name, logo, help desk and forgotten-password link (${locale}, ${size})`, async () => {
        const { context, page } = await open(locale, size);
        expect(await page.locator('.brand-name').textContent()).toBe(BRANDING.name[locale]);
        expect(await page.title()).toBe(
          `${locale === 'ja' ? 'ログイン' : 'Log in'} — ${BRANDING.name[locale]}`,
        );
        const logo = page.locator('img.brand-logo');
        expect(await logo.getAttribute('src')).toBe('/_sekisho/static/branding/logo');
        await expect.poll(() => logo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(96);
        expect(await page.locator('#help-desk').textContent()).toBe(
          `${locale === 'ja' ? 'お問い合わせ' : 'Help desk'}: ${BRANDING.helpDesk[locale]}`,
        );
        const forgot = page.locator('#forgot-password');
        expect(await forgot.getAttribute('href')).toBe(BRANDING.forgotPasswordUrl);
        expect(await forgot.textContent()).toBe(
          locale === 'ja' ? 'パスワードをお忘れの場合' : 'Forgot your password?',
        );
        expect(await page.evaluate(() => document.activeElement?.id)).toBe('username');
        expect(await scrollsSideways(page)).toBe(false);
        expect(await seriousAxeViolations(page)).toEqual([]);
        await keepScreenshot(page, `login-branded-${locale}-${size}`);
        await context.close();
      });
    }
  }

  it('serves the logo from the gateway with its type, as an image nothing can run in', async () => {
    const { context, page } = await open('ja');
    const logo = await page.request.get(`${gw.url}/_sekisho/static/branding/logo`);
    expect(logo.status()).toBe(200);
    expect(logo.headers()['content-type']).toBe('image/svg+xml');
    expect(logo.headers()['content-security-policy']).toContain('sandbox');
    expect(await logo.text()).toBe(LOGO_SVG);
    await context.close();
  });

  it('keeps the language picked with the switch across pages, and ?lang= changes it', async () => {
    const { context, page } = await open('ja');
    expect(await page.locator('h1').textContent()).toBe('ログイン');
    expect(await page.locator('#lang-switch a[aria-current=true]').textContent()).toBe('日本語');
    await page.click('#lang-switch a[lang=en]');
    await page.waitForURL(`${gw.url}/_sekisho/login?next=%2Fportal%2F&lang=en`);
    expect(await page.locator('h1').textContent()).toBe('Log in');
    const cookie = (await context.cookies()).find((c) => c.name === 'sekisho_lang');
    expect(cookie).toMatchObject({ value: 'en', path: '/', sameSite: 'Lax', httpOnly: true });
    expect((cookie?.expires ?? 0) * 1000 - Date.now()).toBeGreaterThan(364 * 24 * 3600 * 1000);

    // Another page, no ?lang=, a Japanese browser: still English.
    await page.goto(`${gw.url}/_sekisho/logout`);
    expect(await page.locator('h1').textContent()).toBe('Log out');
    await keepScreenshot(page, 'logout-after-switch-en-desktop');

    // Logging in from the English page and coming back: English still.
    await page.goto(`${gw.url}/portal/`);
    await logIn(page, 'demo', demoPassword);
    await page.waitForURL(`${gw.url}/portal/`);
    await page.goto(`${gw.url}/_sekisho/logout`);
    expect(await page.locator('button[type=submit]').textContent()).toBe('Log out');

    await page.goto(`${gw.url}/_sekisho/logout?lang=ja`);
    expect(await page.locator('h1').textContent()).toBe('ログアウト');
    await page.goto(`${gw.url}/_sekisho/login`);
    expect(await page.locator('h1').textContent()).toBe('ログイン');
    expect((await context.cookies()).find((c) => c.name === 'sekisho_lang')?.value).toBe('ja');
    await context.close();
  });

  for (const locale of ['ja', 'en'] as const) {
    it(`after a wrong password keeps the ID, announces the error and puts the cursor in the password (${locale})`, async () => {
      const { context, page } = await open(locale, 'phone');
      await logIn(page, 'demo', 'not the password');
      const error = page.locator('p.error[role=alert]');
      expect(await error.textContent()).toContain(
        locale === 'ja' ? 'ユーザーIDまたはパスワード' : 'user ID or password',
      );
      expect(await page.locator('#login-help').textContent()).toContain(BRANDING.helpDesk[locale]);
      expect(await page.inputValue('#username')).toBe('demo');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('password');
      expect(await page.locator('#password').getAttribute('aria-describedby')).toBe('login-error');
      expect(await scrollsSideways(page)).toBe(false);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await keepScreenshot(page, `login-wrong-password-${locale}-phone`);

      // The cursor is where the user types next: the right password, then Enter.
      await page.keyboard.type(demoPassword);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${gw.url}/portal/`);
      expect(await page.locator('.badge b').textContent()).toBe('demo');
      await context.close();
    });
  }

  it('asks the phone not to capitalise or correct the ID', async () => {
    const { context, page } = await open('ja', 'phone');
    const id = page.locator('#username');
    expect(await id.getAttribute('autocapitalize')).toBe('none');
    expect(await id.getAttribute('autocorrect')).toBe('off');
    expect(await id.getAttribute('spellcheck')).toBe('false');
    expect(await id.getAttribute('autocomplete')).toBe('username');
    expect(await page.locator('#password').getAttribute('autocomplete')).toBe('current-password');
    await context.close();
  });

  for (const typed of ['Demo', 'ｄｅｍｏ']) {
    it(`logs in the user demo when the ID is typed as ${typed}`, async () => {
      const { context, page } = await open('ja', 'phone');
      await logIn(page, typed, demoPassword);
      await page.waitForURL(`${gw.url}/portal/`);
      expect(await page.locator('.badge b').textContent()).toBe('demo');
      await context.close();
    });
  }

  it('counts a wrong password typed with another letter case towards that user’s lockout', async () => {
    const { context, page } = await open('en');
    for (const typed of ['Kanako', 'KANAKO', 'ｋａｎａｋｏ']) {
      await logIn(page, typed, 'not the password');
      await page.locator('p.error[role=alert]').waitFor();
    }
    const account = await gw.runtime.gateway.users.find('kanako');
    expect(account?.failedCount).toBe(3);
    expect(account?.lockoutUntil).not.toBeNull();
    // Locked out: the right password, exactly as stored, is refused like a wrong one.
    await page.fill('#password', kanakoPassword);
    await page.fill('#username', 'kanako');
    await page.click('button[type=submit]');
    await page.locator('p.error[role=alert]').waitFor();
    expect(page.url()).toContain('/_sekisho/login');
    await context.close();
  });

  it('keeps the pages readable and without sideways scrolling in the dark scheme', async () => {
    const context: BrowserContext = await browser.newContext({
      locale: 'ja-JP',
      viewport: PHONE,
      colorScheme: 'dark',
    });
    const page = await context.newPage();
    await page.goto(`${gw.url}/_sekisho/login?next=%2Fportal%2F`);
    await logIn(page, 'demo', 'wrong');
    await page.locator('p.error[role=alert]').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await scrollsSideways(page)).toBe(false);
    await keepScreenshot(page, 'login-wrong-password-ja-phone-dark');
    await context.close();
  });
});
