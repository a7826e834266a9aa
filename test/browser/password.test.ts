import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIntranet } from '../../src/demo/intranet.ts';
import { launchBrowser } from '../support/browser.ts';
import { addUser, setRules, startGateway, type TestGateway } from '../support/gateway.ts';

describe('password login in a real browser', () => {
  let browser: Browser;
  let gw: TestGateway;
  let intranet: Awaited<ReturnType<typeof startIntranet>>;
  let password: string;

  beforeAll(async () => {
    intranet = await startIntranet({ port: 0 });
    gw = await startGateway({
      config: {
        backends: { portal: { url: `${intranet.url}/portal` }, keiri: { url: `${intranet.url}/keiri` } },
      },
    });
    await setRules(gw, '/portal/=ALL;;', '/keiri/=@keiri;;');
    password = await addUser(gw, 'hanako', { groups: ['eigyo'] });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await intranet?.close();
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
