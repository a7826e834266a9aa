import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { launchBrowser } from '../support/browser.ts';
import { setRules, type TestGateway } from '../support/gateway.ts';
import { addAdmin, startConsoleGateway } from '../support/admin-harness.ts';
import { logInToConsole } from '../support/admin-console-checks.ts';

const ADMIN_PHONE = '+819055556666';

/**
 * The console's rule editor with options, in real Chromium: a bad option is refused with its
 * error beside its own field (the rule set unchanged), rules that differ only in from= are listed,
 * edited and deleted one by one, and a rule asking less outside than inside is flagged.
 */
describe('the console rule editor: networks and age of proof', () => {
  let backend: FakeBackend;
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    backend = await startBackend();
    gw = await startConsoleGateway({
      config: { backends: { bk01: { url: backend.url } }, networks: { office: ['10.20.0.0/16'] } },
    });
    await setRules(gw, '/bk01/=ALL;;SMSOTP');
    const password = await addAdmin(gw, 'kanri', ADMIN_PHONE);
    browser = await launchBrowser();
    const context = await browser.newContext({ locale: 'en-US' });
    page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await logInToConsole(page, gw, { id: 'kanri', password, phone: ADMIN_PHONE });
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await backend?.close();
  });

  const lines = async () => (await gw.runtime.gateway.ruleRepository.list()).map((rule) => rule.line).sort();

  it.each([
    ['from', 'overseas', 'unknown network "overseas" (known: office)'],
    ['reauth', '15x', '"15x" is not a duration'],
    ['newdevice', 'NOSUCHMETHOD', 'unknown method "NOSUCHMETHOD"'],
    ['from', 'office,reauth=1m', 'must not contain'],
  ])('refuses %s=%s with the error beside that field', async (field, value, message) => {
    const before = await lines();
    await page.goto(`${gw.url}/_sekisho/admin/rules`);
    await page.fill('#rule-prefix', '/bk01/pay/');
    await page.fill('#add-rule #rule-methods', 'SMSOTP');
    await page.fill(`#add-rule #rule-${field}`, value);
    await page.click('#add-rule button[type=submit]');
    await page.waitForSelector(`#rule-${field}-error`);
    expect(await page.locator(`#rule-${field}-error`).textContent()).toContain(message);
    expect(await page.getAttribute(`#add-rule #rule-${field}`, 'aria-invalid')).toBe('true');
    // What was typed stays in the form; other fields carry no error.
    expect(await page.inputValue(`#add-rule #rule-${field}`)).toBe(value);
    expect(await page.locator('.field-error').count()).toBe(1);
    expect(await lines()).toEqual(before);
  });

  it('adds the office rule beside the rule for everyone, edits and deletes each on its own', async () => {
    await page.goto(`${gw.url}/_sekisho/admin/rules`);
    await page.fill('#rule-prefix', '/bk01/');
    await page.fill('#add-rule #rule-methods', '');
    await page.fill('#add-rule #rule-from', 'office');
    await page.click('#add-rule button[type=submit]');
    await page.waitForURL(/done=ruleAdded/);
    expect(await lines()).toEqual(['/bk01/=ALL;;;from=office', '/bk01/=ALL;;SMSOTP']);
    expect(await page.locator('tr[data-prefix="/bk01/"][data-from="office"] .rule-line').textContent()).toBe(
      '/bk01/=ALL;;;from=office',
    );

    await page.click('tr[data-prefix="/bk01/"][data-from="office"] >> text=Edit');
    await page.waitForURL(/\/_sekisho\/admin\/rules\/edit\?prefix=.*&from=office/);
    expect(await page.locator('#edit-from').textContent()).toBe('office');
    await page.fill('#edit-rule #rule-reauth', '8h');
    await page.click('#edit-rule button[type=submit]');
    await page.waitForURL(/done=ruleSaved/);
    expect(await lines()).toEqual(['/bk01/=ALL;;;from=office,reauth=8h', '/bk01/=ALL;;SMSOTP']);

    // Editing the rule for everyone leaves the office rule alone.
    await page.click('tr[data-prefix="/bk01/"]:not([data-from]) >> text=Edit');
    await page.waitForURL(/\/_sekisho\/admin\/rules\/edit\?prefix=%2Fbk01%2F$/);
    await page.fill('#edit-rule #rule-reauth', '15m');
    await page.click('#edit-rule button[type=submit]');
    await page.waitForURL(/done=ruleSaved/);
    expect(await lines()).toEqual(['/bk01/=ALL;;;from=office,reauth=8h', '/bk01/=ALL;;SMSOTP;reauth=15m']);

    await page.click('tr[data-prefix="/bk01/"][data-from="office"] >> text=Delete');
    await page.waitForURL(/done=ruleDeleted/);
    expect(await lines()).toEqual(['/bk01/=ALL;;SMSOTP;reauth=15m']);
  });

  it('flags a rule that asks less outside the network than inside it', async () => {
    await setRules(gw, '/bk01/=ALL;;SMSOTP;from=office', '/bk01/=ALL;;');
    await page.goto(`${gw.url}/_sekisho/admin/rules`);
    const warning = page.locator('tr[data-prefix="/bk01/"]:not([data-from]) .rule-warning');
    expect(await warning.textContent()).toContain(
      'Applies outside a network and asks less than /bk01/=ALL;;SMSOTP;from=office',
    );
  });

  it('explains with a client address: the rule for that network decides, and the network is named', async () => {
    await page.goto(`${gw.url}/_sekisho/admin/rules`);
    await page.fill('#explain-path', '/bk01/report');
    await page.fill('#explain-client', '10.20.1.1');
    await page.click('#explain-client ~ button[type=submit]');
    await page.waitForURL(/\/_sekisho\/admin\/rules\/explain\?/);
    expect(await page.locator('#deciding-rule').textContent()).toBe('/bk01/=ALL;;SMSOTP;from=office');
    expect(await page.locator('#explanation').textContent()).toContain(
      'from=office: client 10.20.1.1 is in network office (10.20.0.0/16)',
    );
    await page.fill('#explain-client', '198.51.100.1');
    await page.click('#explain-client ~ button[type=submit]');
    await page.waitForLoadState();
    expect(await page.locator('#deciding-rule').textContent()).toBe('/bk01/=ALL;;');
  });
});
