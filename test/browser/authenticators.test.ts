import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecoveryCodes } from '../../src/core/recovery-codes.ts';
import { addUser, testSecret, type TestGateway } from '../support/gateway.ts';
import { startIntranetBrowser, type IntranetBrowser } from '../support/intranet-browser.ts';
import { oathtool } from '../support/oathtool.ts';

const texts = {
  'ja-JP': {
    heading: '認証方式',
    remaining: '未使用のリカバリーコードは残り 9 個です。',
    enrolled: '認証方式を登録しました。',
  },
  'en-US': {
    heading: 'My authenticators',
    remaining: 'You have 9 unused recovery codes left.',
    enrolled: 'The authenticator was added.',
  },
} as const;

/**
 * "My authenticators" in real Chromium, in Japanese and English: the lost-phone path as a user
 * walks it (the recovery-code link on the factor page, the count left, the page listing every
 * method, and enrolling an authenticator app by its key).
 */
describe('my authenticators in a real browser', () => {
  let browser: Browser;
  let gw: TestGateway;
  let rig: IntranetBrowser;
  const passwords = new Map<string, string>();
  const codes = new Map<string, string[]>();

  beforeAll(async () => {
    rig = await startIntranetBrowser({
      apps: ['portal'],
      config: { sms: { provider: 'sandbox', sandbox: { enabled: true } } },
      rules: ['/portal/=ALL;;SMSOTP|TOTP'],
    });
    ({ gw, browser } = rig);
    const { gateway } = gw.runtime;
    const recovery = new RecoveryCodes({ ...gateway, repository: gateway.recoveryCodes, secret: testSecret });
    for (const id of ['aiko', 'bob']) {
      passwords.set(id, await addUser(gw, id, { phone: '+819055556666' }));
      codes.set(id, await recovery.generate(id, { actor: 'test' }));
    }
  });
  afterAll(async () => {
    await rig?.close();
  });

  it.each([
    ['ja-JP', 'aiko'],
    ['en-US', 'bob'],
  ] as const)('%s: recovery code, then the page lists every method and adds an app', async (locale, id) => {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    await page.goto(`${gw.url}/portal/`);
    await page.fill('input[name=username]', id);
    await page.fill('input[name=password]', passwords.get(id) ?? '');
    await page.click('button[type=submit]');
    await page.click('#use-recovery-code');
    await page.waitForURL(/\/_sekisho\/recovery/);
    expect(await page.locator('input[name=username]').count()).toBe(0);
    await page.fill('input[name=password]', passwords.get(id) ?? '');
    await page.fill('input[name=recovery_code]', codes.get(id)?.[0] ?? '');
    await page.click('#recovery-form button[type=submit]');
    expect(await page.locator('#recovery-remaining').textContent()).toBe(texts[locale].remaining);

    await page.goto(`${gw.url}/_sekisho/me`);
    expect(await page.locator('#me-authenticators').isVisible()).toBe(true);
    expect(await page.getByRole('heading', { name: texts[locale].heading }).count()).toBe(1);
    expect(await page.locator('[data-method="SMSOTP"] [data-credential="phone"]').textContent()).toContain(
      '****-6666',
    );
    expect(await page.locator('[data-method="TOTP"] [data-credential]').count()).toBe(0);
    expect(await page.locator('#me-recovery-left').getAttribute('data-count')).toBe('9');

    await page.click('#add-totp');
    expect(await page.locator('#totp-qr svg').isVisible()).toBe(true);
    const key = ((await page.locator('#totp-key').textContent()) ?? '').replace(/\s/g, '');
    await page.fill('#otp', oathtool(key));
    await page.click('form button[type=submit]');
    await page.waitForURL(`${gw.url}/_sekisho/me?notice=credential-enrolled`);
    expect(await page.locator('#me-notice').textContent()).toBe(texts[locale].enrolled);
    expect(await page.locator('[data-method="TOTP"] [data-credential]').count()).toBe(1);
    await context.close();
  });
});
