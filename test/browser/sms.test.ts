import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type TestGateway } from '../support/gateway.ts';
import { startIntranetBrowser, type IntranetBrowser } from '../support/intranet-browser.ts';

/** The whole SMS login in real Chromium against the sandbox provider, the way the demo runs it. */
describe('SMS OTP login in a real browser', () => {
  let browser: Browser;
  let gw: TestGateway;
  let rig: IntranetBrowser;
  let password: string;

  beforeAll(async () => {
    rig = await startIntranetBrowser({
      apps: ['keiri'],
      config: {
        sms: { provider: 'sandbox', sandbox: { enabled: true, page: true } },
        otp: { resendCooldownSeconds: 0 },
      },
      rules: ['/keiri/=@keiri;;SMSOTP'],
    });
    ({ gw, browser } = rig);
    password = await addUser(gw, 'keiko', { groups: ['keiri'], phone: '+818012345678' });
  });
  afterAll(async () => {
    await rig?.close();
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
