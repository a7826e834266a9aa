import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepScreenshot, seriousAxeViolations } from '../support/page-checks.ts';
import type { PushService } from '../../src/ports/push-service.ts';
import { launchBrowser } from '../support/browser.ts';
import { addUser, request, startGateway, type TestGateway } from '../support/gateway.ts';

/** What the page shows after a network round trip (Playwright-style polling, not a sleep). */
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000 });

const firefoxOnMac = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0';

/** The authenticator page and the enrolment page in real Chromium, against a real gateway. */
describe('push authenticator page in a real browser', () => {
  let browser: Browser;
  let gw: TestGateway;
  let push: PushService;
  let phone: BrowserContext;
  let page: Page;
  let usedCode = '';

  /** The service builds URLs on publicUrl; the test gateway listens elsewhere. */
  const onGateway = (url: string) => url.replace('http://127.0.0.1:8080', gw.url);
  const startPush = async (path: string) => {
    const started = await push.start({
      userId: 'aiko',
      ip: '198.51.100.4',
      userAgent: firefoxOnMac,
      path,
      decoy: false,
    });
    if (started.kind !== 'started' || started.number === null)
      throw new Error(`push not started: ${started.kind}`);
    return { ...started, number: started.number };
  };
  const stateOf = async (transactionId: string) => {
    const polled = await push.poll(transactionId);
    return polled.kind === 'state' ? polled.state : polled.kind;
  };
  const card = (transactionId: string) => page.locator(`li[data-transaction-id="${transactionId}"]`);

  beforeAll(async () => {
    gw = await startGateway({ config: { push: { maxPendingPerUser: 20 } } });
    if (!gw.runtime.gateway.push) throw new Error('the test gateway runs no push service');
    push = gw.runtime.gateway.push;
    await addUser(gw, 'aiko');
    browser = await launchBrowser();
    phone = await browser.newContext({ locale: 'en-US', viewport: { width: 360, height: 740 } });
    page = await phone.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('activates from the link with a non-extractable key kept in IndexedDB', async () => {
    const activation = await push.createActivation('aiko', { actor: 'test' });
    usedCode = activation.url.split('#activate=')[1] ?? '';
    await page.goto(onGateway(activation.url));
    await eventually(() => page.locator('#push-notice').textContent()).toBe(
      'This device is now registered. Login approval requests will arrive here.',
    );
    expect(await page.evaluate(() => location.hash)).toBe('');

    const devices = await push.listDevices('aiko');
    expect(devices).toHaveLength(1);
    const device = devices[0]!;
    expect(device.name).toBe('Chrome on Linux');
    expect(await page.locator('#push-user-id').textContent()).toBe('aiko');
    expect(await page.locator('#push-device-id').textContent()).toBe(device.id);

    const stored = await page.evaluate(
      () =>
        new Promise<{
          deviceId: string;
          userId: string;
          extractable: boolean;
          type: string;
          usages: string[];
        }>((resolve, reject) => {
          const open = indexedDB.open('sekisho-push');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction('device').objectStore('device').get('current');
            get.onerror = () => reject(get.error);
            get.onsuccess = () => {
              const { deviceId, userId, privateKey } = get.result;
              resolve({
                deviceId,
                userId,
                extractable: privateKey.extractable,
                type: privateKey.type,
                usages: privateKey.usages,
              });
            };
          };
        }),
    );
    expect(stored).toEqual({
      deviceId: device.id,
      userId: 'aiko',
      extractable: false,
      type: 'private',
      usages: ['sign'],
    });
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(`${gw.url}/_sekisho/push/`);
  });

  it('shows a push with where it comes from and the numbers; the right number approves', async () => {
    const started = await startPush('/bk02/orders');
    const shown = card(started.transactionId);
    await shown.waitFor();
    const text = (await shown.textContent()) ?? '';
    expect(text).toContain('198.51.100.4');
    expect(text).toContain('Firefox on macOS');
    expect(text).toContain('/bk02/orders');
    expect(text).toContain('Pick the number shown on your login screen.');
    // Never seen from this browser and network: the warning is prominent.
    const warning = shown.locator('.push-warning');
    expect(await warning.isVisible()).toBe(true);
    expect(await warning.textContent()).toContain(
      'This login comes from a browser or network not seen before',
    );
    const numbers = await shown.locator('.push-numbers button').allTextContents();
    expect(numbers).toHaveLength(3);
    expect(numbers).toContain(String(started.number));
    // Nothing overflows a 360 px wide screen, and the page a phone shows passes axe-core.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await keepScreenshot(page, 'push-app-request-en-phone');

    await shown.getByRole('button', { name: `Approve with ${started.number}` }).click();
    await eventually(() => shown.locator('.push-outcome').textContent()).toBe(
      'Approved. Go back to your login screen.',
    );
    // The first poll after the approval carries the tokens the login page would present.
    const polled = await push.poll(started.transactionId);
    if (polled.kind !== 'state' || !polled.tokens) throw new Error('no tokens after the approval');
    expect(polled.state).toBe('approved');
    // The login completes (here through the API, as another gateway's would; this gateway's own
    // logins are remembered by its session service), so this browser and network are known now.
    expect(
      await push.verifyRemote({ transactionId: started.transactionId, userId: 'aiko', ...polled.tokens }),
    ).toBe(true);
  });

  it('a push from a known environment has no warning; Deny denies it', async () => {
    const started = await startPush('/bk02/payroll');
    const shown = card(started.transactionId);
    await shown.waitFor();
    expect(await shown.locator('.push-warning').isVisible()).toBe(false);
    await shown.getByRole('button', { name: 'Deny' }).click();
    await eventually(() => shown.locator('.push-outcome').textContent()).toBe('Denied.');
    expect(await stateOf(started.transactionId)).toBe('denied');
  });

  it('"This wasn\'t me" reports it; a wrong number is refused', async () => {
    const reported = await startPush('/bk02/reported');
    await card(reported.transactionId).waitFor();
    await card(reported.transactionId).getByRole('button', { name: "This wasn't me" }).click();
    await eventually(() => card(reported.transactionId).locator('.push-outcome').textContent()).toBe(
      'Denied and reported to your administrator.',
    );
    expect(await stateOf(reported.transactionId)).toBe('denied');

    const wrong = await startPush('/bk02/wrong');
    const shown = card(wrong.transactionId);
    await shown.waitFor();
    const other = (await shown.locator('.push-numbers button').allTextContents()).find(
      (n) => n !== String(wrong.number),
    );
    await shown.getByRole('button', { name: `Approve with ${other}` }).click();
    await eventually(() => shown.locator('.push-outcome').textContent()).toMatch(/^Wrong number/);
    expect(await stateOf(wrong.transactionId)).toBe('wrong_number');
  });

  it('tells a revoked device so, and forgets the device locally on request', async () => {
    const [device] = await push.listDevices('aiko');
    expect(await push.revokeDevice(device!.id, { actor: 'test' })).toBe(true);
    // The push wakes the long poll; the next inbox call is refused.
    await startPush('/bk02/after-revoke');
    await eventually(() => page.locator('#push-status').textContent()).toMatch(
      /^This device was not accepted/,
    );
    expect(await page.locator('#push-retry').isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Remove this device from this browser' }).click();
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await eventually(() => page.locator('#push-notice').textContent()).toBe(
      'This device was removed from this browser.',
    );
    expect(await page.locator('#push-device').isVisible()).toBe(false);
    const left = await page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('sekisho-push');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const count = open.result.transaction('device').objectStore('device').count();
            count.onsuccess = () => resolve(count.result);
          };
        }),
    );
    expect(left).toBe(0);
    await page.reload();
    await eventually(() => page.locator('#push-status').textContent()).toMatch(
      /^This device is not registered yet/,
    );
  });

  it('says so when the activation link was already used', async () => {
    const other = await browser.newContext({ locale: 'en-US' });
    const second = await other.newPage();
    await second.goto(`${gw.url}/_sekisho/push/app#activate=${usedCode}`);
    await eventually(() => second.locator('#push-notice').textContent()).toBe(
      'This activation link has expired or was already used. Ask your administrator for a new one.',
    );
    expect(await push.listDevices('aiko')).toHaveLength(1);
    await other.close();
  });

  it('the enrolment page shows the QR code of a live link, and an expiry message for a used one', async () => {
    const activation = await push.createActivation('aiko', { actor: 'test' });
    const pc = await browser.newContext({ locale: 'ja-JP' });
    const screen = await pc.newPage();
    const requested: string[] = [];
    screen.on('request', (r) => requested.push(r.url()));
    await screen.goto(onGateway(activation.enrolmentUrl));
    await screen.locator('#enrol-qr-image svg').waitFor();
    expect(await screen.evaluate(() => location.hash)).toBe('');
    expect(await screen.locator('#enrol-expiry').textContent()).toMatch(/まで有効です。$/);
    expect(await screen.locator('#enrol-url').textContent()).toBe(activation.url);
    expect(await screen.locator('body').textContent()).toContain(
      'スマートフォンのカメラでこの QR コードを読み取ってください',
    );
    const code = activation.url.split('#activate=')[1] ?? '';
    // The code travelled in a JSON body only, never in a request line.
    expect(requested.filter((url) => url.includes(code))).toEqual([]);

    await screen.goto(`${gw.url}/_sekisho/push/enroll#${usedCode}`);
    await eventually(() => screen.locator('#enrol-status').textContent()).toBe(
      'この登録リンクは有効期限が切れたか、すでに使われています。管理者に新しいリンクを発行してもらってください。',
    );
    expect(await screen.locator('#enrol-qr-image svg').count()).toBe(0);
    await pc.close();
  });

  it('serves the page in Japanese by default, the manifest and the service worker', async () => {
    const html = await request(`${gw.url}/_sekisho/push/app`);
    const body = await html.body.text();
    expect(html.statusCode).toBe(200);
    expect(html.headers['cache-control']).toBe('no-store');
    expect(String(html.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(body).toContain('<html lang="ja">');
    expect(body).toContain('Sekisho 認証アプリ');
    expect(body).toContain('<link rel="manifest" href="/_sekisho/push/manifest.webmanifest">');

    const manifest = await request(`${gw.url}/_sekisho/push/manifest.webmanifest`);
    expect(manifest.headers['content-type']).toMatch(/^application\/manifest\+json/);
    expect(await manifest.body.json()).toMatchObject({
      name: 'Sekisho Authenticator',
      start_url: '/_sekisho/push/app',
      scope: '/_sekisho/push/',
      display: 'standalone',
      icons: [{ type: 'image/svg+xml' }],
    });
    const worker = await request(`${gw.url}/_sekisho/push/sw.js`);
    expect(worker.headers['content-type']).toMatch(/^text\/javascript/);
    expect(await worker.body.text()).toContain("addEventListener('fetch'");

    const bad = await request(`${gw.url}/_sekisho/push/enroll/qr`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'short' }),
    });
    expect(bad.statusCode).toBe(400);
    await bad.body.dump();
  });
});
