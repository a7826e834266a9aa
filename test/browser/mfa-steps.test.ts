import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushService } from '../../src/ports/push-service.ts';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { launchBrowser } from '../support/browser.ts';
import { addUser, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import { DESKTOP, keepScreenshot, PHONE, seriousAxeViolations } from '../support/page-checks.ts';
import { enrolDevice, phone, signedAnswer, signedInbox, type TestDevice } from '../support/push-harness.ts';

/**
 * The steps after the ID in real Chromium, in Japanese and English, on a desktop and a 390×844
 * phone: the chooser and its way straight on, the OTP page's countdown and held resend button, the
 * push wait page's one final message, and the page that says no phone is registered. Each page is
 * kept as a screenshot and checked with axe-core.
 */
describe('the MFA steps in a real browser', () => {
  let browser: Browser;
  let backend: FakeBackend;
  let gw: TestGateway;
  let push: PushService;
  let device: TestDevice;
  const passwords = new Map<string, string>();

  beforeAll(async () => {
    backend = await startBackend();
    gw = await startGateway({
      config: {
        backends: { bk01: { url: backend.url }, bk02: { url: backend.url }, bk03: { url: backend.url } },
        sms: { provider: 'sandbox', sandbox: { enabled: true, page: true } },
        otp: { resendCooldownSeconds: 30, maxSendsPerWindow: 50 },
        push: { maxPendingPerUser: 20 },
        branding: { helpDesk: { ja: '情報システム部 内線 1234', en: 'IT help desk, ext. 1234' } },
      },
    });
    await setRules(gw, '/bk01/=ALL;;', '/bk02/=ALL;;MAMORU', '/bk03/=ALL;;SMSOTP|MAMORU');
    passwords.set('taro', await addUser(gw, 'taro', { phone: '+819012345678' }));
    passwords.set('jiro', await addUser(gw, 'jiro', { phone: '+818011114321' }));
    push = gw.runtime.gateway.push!;
    device = await enrolDevice(push, 'taro');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await backend?.close();
  });

  const sizes = { desktop: DESKTOP, phone: PHONE } as const;
  const cases = (['ja', 'en'] as const).flatMap((locale) =>
    (['desktop', 'phone'] as const).map((size) => ({ locale, size })),
  );

  async function open(locale: 'ja' | 'en', size: keyof typeof sizes, options = {}): Promise<BrowserContext> {
    return browser.newContext({
      locale: locale === 'ja' ? 'ja-JP' : 'en-US',
      viewport: sizes[size],
      ...options,
    });
  }

  async function checked(page: Page, name: string) {
    await keepScreenshot(page, name);
    expect(await seriousAxeViolations(page)).toEqual([]);
  }

  async function logIn(page: Page, id: string) {
    await page.fill('input[name=username]', id);
    await page.fill('input[name=password]', passwords.get(id) ?? '');
    await page.locator('form[action="/_sekisho/login"] button[type=submit]').click();
  }

  for (const { locale, size } of cases) {
    it(`one chooser naming what each way needs, then straight on to the code (${locale}, ${size})`, async () => {
      const context = await open(locale, size);
      const page = await context.newPage();
      await page.goto(`${gw.url}/bk03/${locale}-${size}`);
      await page.waitForURL(/\/_sekisho\/mfa\?next=/);
      const ways = page.locator('button[name=way]');
      expect(await ways.allTextContents()).toEqual(
        locale === 'ja'
          ? ['パスワード＋SMS認証コード', 'スマートフォンで承認']
          : ['Password + SMS code', 'Approve on my phone'],
      );
      await expect(page.locator('#step-help').textContent()).resolves.toContain(
        locale === 'ja' ? '情報システム部 内線 1234' : 'IT help desk, ext. 1234',
      );
      await checked(page, `mfa-chooser-${locale}-${size}`);

      await ways.first().click();
      await page.waitForURL(/\/_sekisho\/login/);
      await logIn(page, 'taro');
      await page.waitForURL(/\/_sekisho\/mfa\/SMSOTP/);
      await expect(page.locator('#sms-phone').textContent()).resolves.toBe('090-****-5678');
      await context.close();
    });
  }

  for (const { locale, size } of cases) {
    it(`the OTP page counts down and holds resend until its cooldown (${locale}, ${size})`, async () => {
      const context = await open(locale, size);
      const page = await context.newPage();
      await page.clock.install();
      await page.goto(`${gw.url}/_sekisho/login?next=%2Fbk01%2F`);
      await logIn(page, 'taro');
      await page.waitForURL(`${gw.url}/bk01/`);
      await page.goto(`${gw.url}/_sekisho/mfa/SMSOTP?next=%2Fbk03%2Fotp`);
      const timeLeft = page.locator('#otp-time-left');
      const resend = page.locator('#resend');
      expect(await resend.isDisabled()).toBe(true);
      await expect(page.locator('#resend-wait').textContent()).resolves.toMatch(
        locale === 'ja'
          ? /^再送は \d\d:\d\d:\d\d 以降にできます。$/
          : /^You can resend from \d\d:\d\d:\d\d\.$/,
      );
      await expect(page.locator('#step-reason').textContent()).resolves.toContain('/bk03/otp');
      await checked(page, `mfa-otp-${locale}-${size}`);

      const before = await timeLeft.textContent();
      await page.clock.runFor(31_000);
      expect(await timeLeft.textContent()).not.toBe(before);
      expect(await timeLeft.textContent()).toMatch(
        locale === 'ja' ? /^あと 4分2\d秒$/ : /^4 min 2\d s more$/,
      );
      expect(await resend.isEnabled()).toBe(true);
      expect(await page.locator('#resend-wait').count()).toBe(0);
      await page.clock.runFor(300_000);
      await expect(timeLeft.textContent()).resolves.toBe(
        locale === 'ja' ? '有効期限が切れました。再送してください。' : 'It has expired. Please resend.',
      );
      await context.close();
    });
  }

  /** Denies the newest pending push on taro's phone. */
  async function denyNewest() {
    const inbox = await push.inbox(await signedInbox(device, Date.now()));
    const newest =
      inbox.kind === 'ok' ? [...inbox.requests].sort((a, b) => b.createdAt - a.createdAt)[0] : undefined;
    if (!newest) throw new Error('no pending push');
    expect(await push.respond(await signedAnswer(device, newest, 'deny'), phone)).toMatchObject({
      outcome: 'denied',
    });
  }

  for (const { locale, size } of cases) {
    it(`the wait page ends with one message and one way on, the number gone (${locale}, ${size})`, async () => {
      const context = await open(locale, size);
      const page = await context.newPage();
      await page.goto(`${gw.url}/bk02/${locale}-${size}`);
      await page.fill('input[name=username]', 'taro');
      await page.locator('form:has(input[name=identify]) button[type=submit]').click();
      await page.locator('#push-number').waitFor();
      await expect(page.title()).resolves.toContain(
        locale === 'ja' ? 'スマートフォンで承認' : 'Approve on your phone',
      );
      // With scripts on, the no-JavaScript button is not there at all.
      expect(await page.locator('#push-approved').count()).toBe(0);
      await checked(page, `mfa-push-wait-${locale}-${size}`);

      await denyNewest();
      const final = page.locator('#push-final');
      await final.waitFor();
      await expect(final.textContent()).resolves.toBe(
        locale === 'ja'
          ? 'スマートフォンでログインが拒否されました。最初からやり直してください。'
          : 'The login was denied on the phone. Please start over.',
      );
      for (const stale of ['#push-number', '#push-time-left', '#push-resend', '#push-waiting'])
        expect(await page.locator(stale).isVisible()).toBe(false);
      const next = page.locator('#push-next-step');
      expect(await page.locator('main a:visible, main button:visible').count()).toBe(2); // next step and recovery link
      await expect(next.getAttribute('href')).resolves.toContain('restart=1');
      await checked(page, `mfa-push-denied-${locale}-${size}`);
      await context.close();
    });
  }

  it('without JavaScript the wait page offers the "I approved" button', async () => {
    const context = await open('ja', 'phone', { javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${gw.url}/bk02/no-js`);
    await page.fill('input[name=username]', 'taro');
    await page.locator('form:has(input[name=identify]) button[type=submit]').click();
    await page.locator('#push-number').waitFor();
    expect(await page.locator('#push-approved').isVisible()).toBe(true);
    await keepScreenshot(page, 'mfa-push-wait-no-js-ja-phone');
    await context.close();
  });

  for (const { locale, size } of cases) {
    it(`no phone registered after the password: said plainly, with the other way (${locale}, ${size})`, async () => {
      const context = await open(locale, size);
      const page = await context.newPage();
      await page.goto(`${gw.url}/_sekisho/login?next=%2Fbk01%2F`);
      await logIn(page, 'jiro');
      await page.waitForURL(`${gw.url}/bk01/`);
      await page.goto(`${gw.url}/_sekisho/mfa?next=%2Fbk03%2F`);
      await expect(page.locator('.way-unavailable').textContent()).resolves.toBe(
        locale === 'ja'
          ? 'スマートフォンで承認（登録されていません）'
          : 'Approve on my phone (not registered)',
      );
      await checked(page, `mfa-chooser-identified-${locale}-${size}`);

      await page.goto(`${gw.url}/_sekisho/mfa/MAMORU?next=%2Fbk03%2F`);
      await expect(page.locator('#step-problem').textContent()).resolves.toContain(
        locale === 'ja' ? 'スマートフォンが登録されていません' : 'No phone is registered',
      );
      expect(await page.locator('#push-number').count()).toBe(0);
      const sms = page.locator('button[name=way]');
      await expect(sms.textContent()).resolves.toBe(
        locale === 'ja' ? 'SMS認証コード（080-****-4321）' : 'SMS code (080-****-4321)',
      );
      await checked(page, `mfa-no-device-${locale}-${size}`);
      await sms.click();
      await page.waitForURL(/\/_sekisho\/mfa\/SMSOTP/);
      await context.close();
    });
  }
});
