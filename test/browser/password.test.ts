import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type TestGateway } from '../support/gateway.ts';
import { startIntranetBrowser, type IntranetBrowser } from '../support/intranet-browser.ts';

describe('password login in a real browser', () => {
  let browser: Browser;
  let gw: TestGateway;
  let rig: IntranetBrowser;
  let password: string;

  beforeAll(async () => {
    rig = await startIntranetBrowser({
      apps: ['portal', 'keiri'],
      rules: ['/portal/=ALL;;', '/keiri/=@keiri;;'],
    });
    ({ gw, browser } = rig);
    password = await addUser(gw, 'hanako', { groups: ['eigyo'] });
  });
  afterAll(async () => {
    await rig?.close();
  });

  for (const locale of ['ja', 'en'] as const) {
    it(`logs in (${locale}) and reaches the intranet with X-Remote-User set`, async () => {
      const context = await browser.newContext({ locale: locale === 'ja' ? 'ja-JP' : 'en-US' });
      const page = await context.newPage();
      await page.goto(`${gw.url}/portal/`);
      expect(page.url()).toContain('/_sekisho/login');
      await expect(page.locator('h1').textContent()).resolves.toBe(locale === 'ja' ? 'ログイン' : 'Log in');
      await page.fill('input[name=username]', 'hanako');
      await page.fill('input[name=password]', 'wrong password');
      await page.click('button[type=submit]');
      const error = await page.locator('.error').textContent();
      expect(error).toContain(locale === 'ja' ? 'ユーザーIDまたはパスワード' : 'user ID or password');
      await page.fill('input[name=password]', password);
      await page.click('button[type=submit]');
      await page.waitForURL(`${gw.url}/portal/`);
      expect(await page.content()).toContain('hanako');
      const denied = await page.goto(`${gw.url}/keiri/`);
      expect(denied?.status()).toBe(403);
      await context.close();
    });
  }
});
