import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { launchBrowser } from '../support/browser.ts';
import { addUser, setRules, type TestGateway } from '../support/gateway.ts';
import { DESKTOP, keepScreenshot, PHONE, seriousAxeViolations } from '../support/page-checks.ts';
import { addAdmin, auditRows, startConsoleGateway } from '../support/admin-harness.ts';
import { logInToConsole, tokyoDateTime } from '../support/admin-console-checks.ts';

const ADMIN_PHONE = '+819077778888';
const RULES = '/_sekisho/admin/rules';

/**
 * The console as a Japanese admin (and an English one) meets it in Chromium, at desktop and phone
 * sizes: rules in words, the pickers (the method boxes write the grammar), an unknown group refused
 * beside its field with "did you mean" and saved only with the override, the history as a diff, the
 * audit log in words and the configured zone, and a push registration QR code on the user's page.
 * Every page is screenshotted and passes axe-core with no serious violation.
 */
describe('the admin console for admins and the help desk, in Chromium', () => {
  let backend: FakeBackend;
  let gw: TestGateway;
  let browser: Browser;
  let password: string;

  beforeAll(async () => {
    backend = await startBackend();
    gw = await startConsoleGateway({ config: { backends: { bk01: { url: backend.url } } } });
    password = await addAdmin(gw, 'kanri', ADMIN_PHONE);
    await addUser(gw, 'taro', { groups: ['keiri'], phone: '+819033334444' });
    await setRules(gw, '/bk01/=@keiri;;SMSOTP', '/bk01/pub/=ALL;;BYPASS');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await backend?.close();
  });

  /** A browser in `locale` at `viewport`, logged in to the console with password and SMS code. */
  async function consolePage(locale: string, viewport: { width: number; height: number }) {
    const context: BrowserContext = await browser.newContext({ locale, viewport });
    const page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await logInToConsole(page, gw, { id: 'kanri', password, phone: ADMIN_PHONE }, RULES);
    return { context, page };
  }

  async function checked(page: Page, name: string) {
    await keepScreenshot(page, name);
    expect(await seriousAxeViolations(page), name).toEqual([]);
  }

  /** The page fits the phone's width: nothing but the tables' own scrolling boxes is wider. */
  async function fitsWidth(page: Page) {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
  }

  const lines = async () => (await gw.runtime.gateway.ruleRepository.list()).map((r) => r.line).sort();

  it('Japanese, desktop: rules in words; an unknown group refused beside its field, saved with the override; the method boxes write the grammar', async () => {
    const { context, page } = await consolePage('ja-JP', DESKTOP);
    const summary = page.locator('tr[data-prefix="/bk01/"] .rule-summary .summary-text');
    expect(await summary.innerText()).toBe('/bk01/ は @keiri グループのみ、パスワード＋SMS認証');
    expect(await page.locator('tr[data-prefix="/bk01/pub/"] .rule-summary .summary-text').innerText()).toBe(
      '/bk01/pub/ は すべてのユーザー、認証なしで公開',
    );
    // The pickers: the allow field offers the groups and users.
    const offered = await page
      .locator('#rule-principals option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(offered).toEqual(expect.arrayContaining(['ALL', '@admins', '@keiri', 'kanri', 'taro']));
    await checked(page, 'admin-rules-ja-desktop');

    const before = await lines();
    await page.fill('#rule-prefix', '/bk01/keiri/');
    await page.fill('#add-rule #rule-allow', '@keir');
    await page.check('#add-rule input[name=method][value=SMSOTP]');
    expect(await page.inputValue('#add-rule #rule-methods')).toBe('SMSOTP');
    await page.click('#add-rule button[type=submit]');
    await page.waitForSelector('#rule-allow-error');
    expect(await page.locator('#rule-allow-error').innerText()).toBe(
      'グループ「@keir」は存在しません。「@keiri」のことですか?',
    );
    expect(await page.getAttribute('#add-rule #rule-allow', 'aria-invalid')).toBe('true');
    expect(await page.locator('#refused').innerText()).toContain('存在しないユーザーまたはグループ');
    expect(await lines()).toEqual(before);
    await checked(page, 'admin-rule-unknown-group-ja-desktop');

    // Saved as typed only when the admin says so.
    await page.check('#rule-allow-unknown');
    await page.click('#add-rule button[type=submit]');
    await page.waitForURL(/done=ruleAdded/);
    expect(await lines()).toContain('/bk01/keiri/=@keir;;SMSOTP');
    const flagged = page.locator('tr[data-prefix="/bk01/keiri/"] .rule-warning', {
      hasText: '認証DBに存在しません',
    });
    expect(await flagged.innerText()).toBe('@keir は認証DBに存在しません(削除されたか、綴りの誤り)。');

    // Two boxes and "any one": the field reads SMSOTP|MAMORU, and that is what is saved.
    const [first, second] = await page
      .locator('#add-rule input[name=method]')
      .evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).value));
    await page.fill('#rule-prefix', '/bk01/either/');
    await page.check(`#add-rule input[name=method][value="${first}"]`);
    await page.check(`#add-rule input[name=method][value="${second}"]`);
    await page.check('#add-rule input[name=combine][value=any]');
    expect(await page.inputValue('#add-rule #rule-methods')).toBe(`${first}|${second}`);
    // Typing the grammar ticks the boxes it names.
    await page.fill('#add-rule #rule-methods', `${second}`);
    expect(await page.isChecked(`#add-rule input[name=method][value="${first}"]`)).toBe(false);
    await page.check(`#add-rule input[name=method][value="${first}"]`);
    await page.click('#add-rule button[type=submit]');
    await page.waitForURL(/done=ruleAdded/);
    expect(await lines()).toContain(`/bk01/either/=ALL;;${first}|${second}`);
    await context.close();
  });

  it('Japanese, desktop: the history as a diff, the audit log in words and Tokyo time', async () => {
    await setRules(gw, '/bk01/=@keiri;taro;SMSOTP');
    const { context, page } = await consolePage('ja-JP', DESKTOP);
    await page.goto(`${gw.url}/_sekisho/admin/rules/history`);
    const newest = page.locator('#history tbody tr').first();
    expect(await newest.locator('del.before').innerText()).toBe('/bk01/=@keiri;;SMSOTP');
    expect(await newest.locator('ins.after').innerText()).toBe('/bk01/=@keiri;taro;SMSOTP');
    expect(await newest.locator('li[data-field="deny"]').innerText()).toBe('deny: — → taro');
    await checked(page, 'admin-history-ja-desktop');

    await page.goto(`${gw.url}/_sekisho/admin/audit?event=rule.set`);
    const row = page.locator('#audit tbody tr').first();
    expect(await row.locator('td.event').innerText()).toContain('ルールの保存');
    const [set] = await auditRows(gw, 'rule.set');
    const tokyo = tokyoDateTime(set?.at);
    expect(await row.locator('time').innerText()).toBe(tokyo);
    expect(await page.locator('#audit thead').innerText()).toContain('時刻(Asia/Tokyo)');
    await checked(page, 'admin-audit-ja-desktop');
    await context.close();
  });

  it("Japanese, desktop: the user's factors and a push registration QR code, issued and audited", async () => {
    const { context, page } = await consolePage('ja-JP', DESKTOP);
    await page.goto(`${gw.url}/_sekisho/admin/user?id=taro`);
    expect(await page.locator('#authenticators tr[data-method="SMSOTP"]').count()).toBe(1);
    await page.click('#push-enrol');
    await page.waitForSelector('#push-qr svg');
    const box = await page.locator('#push-qr svg').boundingBox();
    expect(box?.width).toBeGreaterThan(150);
    expect(await page.locator('#push-url').innerText()).toMatch(/\/_sekisho\/push\/app#activate=/);
    const [issued] = await auditRows(gw, 'push.activation_created');
    expect(issued).toMatchObject({ userId: 'taro', actor: 'kanri' });
    await checked(page, 'admin-user-push-qr-ja-desktop');
    await context.close();
  });

  it('English, phone: rules, an edit, the history and the user page fit a 390 px screen', async () => {
    const { context, page } = await consolePage('en-US', PHONE);
    expect(await page.locator('tr[data-prefix="/bk01/"] .rule-summary .summary-text').innerText()).toBe(
      '/bk01/: only group @keiri (except user taro); password + SMS code',
    );
    await fitsWidth(page);
    await checked(page, 'admin-rules-en-phone');

    await page.goto(`${gw.url}${RULES}/edit?prefix=%2Fbk01%2F`);
    expect(await page.locator('#edit-summary').innerText()).toContain('only group @keiri');
    expect(await page.isChecked('#edit-rule input[name=method][value=SMSOTP]')).toBe(true);
    await page.fill('#edit-rule #rule-deny', 'jiro');
    await page.click('#edit-rule button[type=submit]');
    await page.waitForSelector('#rule-deny-error');
    expect(await page.locator('#rule-deny-error').innerText()).toBe('there is no user "jiro".');
    await fitsWidth(page);
    await checked(page, 'admin-rule-edit-unknown-en-phone');

    await page.goto(`${gw.url}/_sekisho/admin/rules/history`);
    await fitsWidth(page);
    await checked(page, 'admin-history-en-phone');

    await page.goto(`${gw.url}/_sekisho/admin/user?id=taro`);
    await page.click('#push-enrol');
    await page.waitForSelector('#push-qr svg');
    await fitsWidth(page);
    await checked(page, 'admin-user-push-qr-en-phone');

    await page.goto(`${gw.url}/_sekisho/admin/audit`);
    await fitsWidth(page);
    await checked(page, 'admin-audit-en-phone');
    await context.close();
  });
});
