import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIntranet } from '../../src/demo/intranet.ts';
import { launchBrowser } from '../support/browser.ts';
import { addUser, setRules, startGateway, type TestGateway } from '../support/gateway.ts';

/** The whole SMS login in real Chromium against the sandbox provider, the way the demo runs it. */
describe('SMS OTP login in a real browser', () => {
  let browser: Browser;
  let gw: TestGateway;
  let intranet: Awaited<ReturnType<typeof startIntranet>>;
  let password: string;

  beforeAll(async () => {
    intranet = await startIntranet({ port: 0 });
    gw = await startGateway({
      config: {
        backends: { keiri: { url: `${intranet.url}/keiri` } },
        sms: { provider: 'sandbox', sandbox: { enabled: true, page: true } },
        otp: { resendCooldownSeconds: 0 },
      },
    });
    await setRules(gw, '/keiri/=@keiri;;SMSOTP');
    password = await addUser(gw, 'keiko', { groups: ['keiri'], phone: '+818012345678' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await intranet?.close();
  });

  for (const locale of ['ja', 'en'] as const) {
    it(`password, then the code from the SMS sandbox (${locale}), then 経理部`, async () => {
      const context = await browser.newContext({ locale: locale === 'ja' ? 'ja-JP' : 'en-US' });
      const page = await context.newPage();
      await page.goto(`${gw.url}/keiri/`);
      await page.fill('input[name=username]', 'keiko');
      await page.fill('input[name=password]', password);
      await page.click('button[type=submit]');
      await page.waitForURL(/\/_sekisho\/mfa\/SMSOTP/);
      const otpPage = await page.content();
      expect(otpPage).toContain('5678');
      expect(otpPage).not.toContain('8012345678');
      expect(otpPage).toContain(locale === 'ja' ? 'ワンタイムパスワード' : 'one-time password');

      const inbox = await context.newPage();
      await inbox.goto(`${gw.url}/_sekisho/sandbox/sms`);
      const text = (await inbox.locator('body').textContent()) ?? '';
      const code = /#(\d{6})/.exec(text)?.[1];
      expect(code).toMatch(/^\d{6}$/);
      expect(text).toContain(locale === 'ja' ? '有効期限' : 'Valid for');

      await page.fill('input[name=otp]', code ?? '');
      await page.locator('input[name=otp]').press('Enter');
      await page.waitForURL(`${gw.url}/keiri/`);
      const content = await page.content();
      expect(content).toContain('keiko');
      expect(content).toContain('password,SMSOTP');
      await context.close();
    });
  }
});
