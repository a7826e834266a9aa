import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { launchBrowser } from '../support/browser.ts';
import { FormClient } from '../support/browser-client.ts';
import { addUser, setRules, type TestGateway } from '../support/gateway.ts';
import { waitFor } from '../support/wait-for.ts';
import { addAdmin, auditRows, lastSandboxCode, startConsoleGateway } from '../support/admin-harness.ts';

/** Rule changes reach every running gateway within 2 s. */
const PROPAGATION_MS = 2000;
const ADMIN_PHONE = '+819011112222';

/**
 * The console in real Chromium: an admin logs in with password and SMS code, edits a rule, and
 * another running instance applies it within 2 s; a rollback restores the earlier version there
 * too; a non-admin and an admin without the second factor are refused.
 */
describe('the admin console in a real browser', () => {
  let backend: FakeBackend;
  let a: TestGateway;
  let b: TestGateway;
  let browser: Browser;
  let adminPassword: string;
  let taroPassword: string;

  beforeAll(async () => {
    backend = await startBackend();
    const config = { backends: { bk01: { url: backend.url } } };
    a = await startConsoleGateway({ config });
    b = await startConsoleGateway({ config, sharedWith: a });
    await setRules(a, '/bk01/=ALL;;');
    await b.runtime.watcher.poll();
    adminPassword = await addAdmin(a, 'kanri', ADMIN_PHONE);
    taroPassword = await addUser(a, 'taro', { phone: '+819033334444' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await b?.close();
    await a?.close();
    await backend?.close();
  });

  async function newPage(locale = 'en-US'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    // Destructive console forms ask first (confirm.js); the admin says yes.
    page.on('dialog', (dialog) => void dialog.accept());
    return { context, page };
  }

  /** The console's login: password first; returns on the page the login led to. */
  async function logIn(page: Page, gw: TestGateway, id: string, password: string) {
    await page.goto(`${gw.url}/_sekisho/admin/`);
    await page.waitForURL(/\/_sekisho\/login\?/);
    await page.fill('input[name=username]', id);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForLoadState();
  }

  /** How taro's session fares on instance B: 200 through, 403 refused. */
  async function taroOnB(client: FormClient): Promise<number> {
    return (await client.get('/bk01/page', { accept: 'application/json' })).status;
  }

  it('an admin edits a rule in the console; the other instance applies it within 2 s; a rollback restores it there too', async () => {
    const taro = new FormClient(b.url);
    expect((await taro.login('taro', taroPassword, '/bk01/')).status).toBe(303);
    expect(await taroOnB(taro)).toBe(200);
    const original = (await a.runtime.gateway.ruleRepository.list()).find((r) => r.prefix === '/bk01/');

    const { context, page } = await newPage();
    await logIn(page, a, 'kanri', adminPassword);
    await page.waitForURL(/\/_sekisho\/mfa\/SMSOTP/);
    expect(await page.content()).toContain('2222');
    await page.fill('input[name=otp]', await lastSandboxCode(a, ADMIN_PHONE));
    await page.locator('input[name=otp]').press('Enter');
    await page.waitForURL(`${a.url}/_sekisho/admin/`);
    expect(await page.locator('#admin-id').textContent()).toBe('kanri');

    await page.click('nav >> text=Rules');
    await page.waitForURL(`${a.url}/_sekisho/admin/rules`);
    await page.click('tr[data-prefix="/bk01/"] >> text=Edit');
    await page.waitForURL(/\/_sekisho\/admin\/rules\/edit\?/);
    expect(await page.inputValue('#rule-allow')).toBe('ALL');
    await page.fill('#rule-allow', '@admins');
    await page.click('#edit-rule button[type=submit]');
    await page.waitForURL(/done=ruleSaved/);
    const saved = Date.now();
    expect(await page.locator('#done').textContent()).toContain('The rule was saved');
    expect(await page.locator('tr[data-prefix="/bk01/"] .rule-line').textContent()).toBe('/bk01/=@admins;;');

    const applied = await waitFor(
      async () => (await taroOnB(taro)) === 403,
      PROPAGATION_MS,
      'edit applied on B',
    );
    expect(Date.now() - saved).toBeLessThanOrEqual(PROPAGATION_MS + 250);
    expect(applied).toBeLessThanOrEqual(PROPAGATION_MS + 250);
    expect(b.runtime.gateway.rules.current.match(null, '/bk01/x')?.line).toBe('/bk01/=@admins;;');

    await page.click('nav >> text=Rule history');
    await page.waitForURL(`${a.url}/_sekisho/admin/rules/history`);
    await page.click(`tr[data-version="${original?.version}"] >> text=Restore this version`);
    await page.waitForURL(/done=ruleRestored/);
    const restored = Date.now();
    await waitFor(async () => (await taroOnB(taro)) === 200, PROPAGATION_MS, 'rollback applied on B');
    expect(Date.now() - restored).toBeLessThanOrEqual(PROPAGATION_MS + 250);
    expect(b.runtime.gateway.rules.current.match(null, '/bk01/x')?.line).toBe('/bk01/=ALL;;');
    const [newest] = await a.runtime.gateway.ruleRepository.history(1);
    expect(newest).toMatchObject({ line: '/bk01/=ALL;;', changedBy: 'kanri' });
    expect(newest?.version).toBeGreaterThan(original?.version ?? 0);

    const [set] = await auditRows(a, 'rule.set');
    expect(set).toMatchObject({ actor: 'kanri', ip: '127.0.0.1', detail: { rule: '/bk01/=@admins;;' } });
    expect(set?.userAgent).toContain('Chrome');
    const [rollback] = await auditRows(a, 'rule.rollback');
    expect(rollback).toMatchObject({
      actor: 'kanri',
      detail: { version: original?.version, rule: '/bk01/=ALL;;' },
    });
    await context.close();
  });

  it('refuses a non-admin the console, on either instance', async () => {
    const { context, page } = await newPage('ja-JP');
    await logIn(page, a, 'taro', taroPassword);
    expect(page.url()).toBe(`${a.url}/_sekisho/admin/`);
    expect((await page.reload())?.status()).toBe(403);
    expect(await page.locator('body').textContent()).toContain('このページへのアクセスは許可されていません');
    expect(await page.locator('nav.admin-nav').count()).toBe(0);
    // Cookies ignore the port, and sessions are shared: instance B knows taro and refuses too.
    const onB = await page.goto(`${b.url}/_sekisho/admin/rules`);
    expect(onB?.status()).toBe(403);
    await context.close();
  });

  it('sends an admin without the second factor to the SMS step, never into the console', async () => {
    const { context, page } = await newPage();
    await logIn(page, a, 'kanri', adminPassword);
    await page.waitForURL(/\/_sekisho\/mfa\/SMSOTP/);
    const response = await page.goto(`${a.url}/_sekisho/admin/users`);
    expect(response?.status()).toBe(200);
    expect(page.url()).toMatch(/\/_sekisho\/mfa\/SMSOTP\?next=%2F_sekisho%2Fadmin%2Fusers/);
    expect(await page.locator('nav.admin-nav').count()).toBe(0);
    expect(await page.locator('input[name=otp]').count()).toBe(1);
    await context.close();
  });
});
