import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../plugins/mamoru/messages.ts';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { launchBrowser } from '../support/browser.ts';
import { runSekisho } from '../support/cli.ts';
import { addUser, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import { enrolDevice } from '../support/push-harness.ts';

/**
 * The Mamoru PUSH login of the IceWall report, end to end: real Chromium on the wait page,
 * the virtual authenticator (`sekisho device`) as the phone, a real backend behind.
 */
describe('passwordless push login in a real browser', () => {
  let browser: Browser;
  let gw: TestGateway;
  let backend: FakeBackend;
  const store = join(mkdtempSync(join(tmpdir(), 'sekisho-device-')), 'device.json');

  beforeAll(async () => {
    backend = await startBackend();
    // Four pushes to one user here: above the default push-bombing cap of three.
    gw = await startGateway({
      config: { backends: { bk02: { url: backend.url } }, push: { maxPendingPerUser: 10 } },
    });
    await setRules(gw, '/bk02/=ALL;;MAMORU');
    await addUser(gw, 'hanako');
    const activation = await gw.runtime.gateway.push!.createActivation('hanako', { actor: 'test' });
    const url = activation.url.replace(gw.config.publicUrl, gw.url);
    // `-`: the activation URL comes on standard input, out of `ps` and shell history.
    const enrolled = await runSekisho(['device', 'enroll', '-', '--store', store], { stdin: url });
    expect(enrolled.stderr).toBe('');
    expect(enrolled.code).toBe(0);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await backend?.close();
  });

  /** From the app's URL to the wait page: the ID only, no password field anywhere. */
  async function reachWaitPage(page: Page, path: string, id = 'hanako'): Promise<string> {
    await page.goto(`${gw.url}${path}`);
    await page.waitForURL(/\/_sekisho\/mfa\/MAMORU/);
    expect(await page.locator('input[type=password]').count()).toBe(0);
    await page.fill('input[name=username]', id);
    await page.click('button[type=submit]');
    const number = (await page.locator('#push-number').textContent())?.trim() ?? '';
    expect(number).toMatch(/^[1-9][0-9]$/);
    return number;
  }

  for (const locale of ['ja', 'en'] as const) {
    it(`approves with the number read from #push-number and lands on the app (${locale})`, async () => {
      const context = await browser.newContext({ locale: locale === 'ja' ? 'ja-JP' : 'en-US' });
      const page = await context.newPage();
      const number = await reachWaitPage(page, `/bk02/report?q=${locale}`);
      const seenBefore = backend.seen.length;
      const approved = await runSekisho(['device', 'approve', '--store', store, '--number', number]);
      expect(approved.code).toBe(0);
      await page.waitForURL(`${gw.url}/bk02/report?q=${locale}`);
      const reached = backend.seen.slice(seenBefore).find((r) => r.url === `/report?q=${locale}`);
      expect(reached?.headers['x-remote-user']).toBe('hanako');
      expect(reached?.headers['x-remote-auth-methods']).toBe('MAMORU');
      await context.close();
    });
  }

  it('a denial on the phone ends the attempt with a clear page and never reaches the app', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await reachWaitPage(page, '/bk02/denied-path');
    // The time left counts down while the page waits.
    const shown = await page.locator('#push-time-left').textContent();
    await page.waitForFunction(
      (before) => document.querySelector('#push-time-left')?.textContent !== before,
      shown,
    );
    const denied = await runSekisho(['device', 'deny', '--store', store]);
    expect(denied.code).toBe(0);
    // One message and one way on; the stale number, the time and the buttons are gone.
    await page
      .locator('#push-final')
      .filter({ hasText: /denied/i })
      .waitFor();
    expect(await page.locator('#push-next-step').getAttribute('href')).toContain('restart=1');
    expect(await page.locator('#push-number').isVisible()).toBe(false);
    expect(await page.locator('#push-resend').isVisible()).toBe(false);
    expect(backend.seen.some((r) => r.url.startsWith('/denied-path'))).toBe(false);
    const again = await context.request.get(`${gw.url}/bk02/denied-path`, {
      headers: { accept: 'application/json' },
    });
    expect(again.status()).toBe(401);
    await context.close();
  });

  it('a wrong number picked on the phone logs nobody in', async () => {
    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    const number = await reachWaitPage(page, '/bk02/wrong');
    const wrong = number === '10' ? '11' : '10';
    const picked = await runSekisho(['device', 'approve', '--store', store, '--number', wrong]);
    expect(picked.code).toBe(1);
    await page.locator('#push-final.error').waitFor();
    expect(await page.locator('#push-number').isVisible()).toBe(false);
    expect(backend.seen.some((r) => r.url.startsWith('/wrong'))).toBe(false);
    await context.close();
  });

  it('a phone revoked while the page waits ends the wait with one message and a way on', async () => {
    await addUser(gw, 'saburo');
    const push = gw.runtime.gateway.push!;
    const phone = await enrolDevice(push, 'saburo');
    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    await reachWaitPage(page, '/bk02/revoked', 'saburo');
    // As the admin console and /_sekisho/me do.
    expect(await push.revokeDevice(phone.id, { actor: 'admin' })).toBe(true);
    await page.locator('#push-final.error').filter({ hasText: messages.ja.deviceRevoked }).waitFor();
    expect(await page.locator('#push-next-step').getAttribute('href')).toContain('restart=1');
    expect(await page.locator('#push-number').isVisible()).toBe(false);
    expect(backend.seen.some((r) => r.url.startsWith('/revoked'))).toBe(false);
    await context.close();
  });
});
