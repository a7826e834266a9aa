import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushService } from '../../src/ports/push-service.ts';
import { launchBrowser } from '../support/browser.ts';
import { addUser, startGateway, type TestGateway } from '../support/gateway.ts';
import { startFakePushService, type FakePushService } from '../fakes/web-push-server.ts';

const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000 });

/**
 * The authenticator's service worker in real Chromium. Chromium cannot reach a real push service
 * here, so the message the gateway sent to the fake push service (decrypted there with
 * http_ece) is handed to the service worker's push handler through the DevTools protocol
 * (`ServiceWorker.deliverPushMessage`), as the browser's push service would after decrypting it.
 * The notification is read back with `registration.getNotifications()`. A notification cannot be
 * clicked through the DevTools protocol: the test opens what the click opens (the authenticator
 * page, with no window open) and sees the request's card there.
 */
describe('Web Push in the authenticator service worker', () => {
  let browser: Browser;
  let gw: TestGateway;
  let push: PushService;
  let pushService: FakePushService;
  let phone: BrowserContext;
  let page: Page;
  let viewer: Page;
  let cdp: CDPSession;
  const registrations: { registrationId: string; scopeURL: string }[] = [];

  beforeAll(async () => {
    pushService = await startFakePushService();
    gw = await startGateway({
      config: {
        push: { maxPendingPerUser: 20, webPush: { allowedEndpoints: [`${pushService.origin}/push/`] } },
      },
    });
    push = gw.runtime.gateway.push!;
    await addUser(gw, 'aiko');
    browser = await launchBrowser();
    phone = await browser.newContext({ locale: 'en-US', viewport: { width: 360, height: 740 } });
    page = await phone.newPage();
    // The DevTools session lives on a page of its own (not the authenticator), which stays open.
    viewer = await phone.newPage();
    cdp = await phone.newCDPSession(viewer);
    cdp.on('ServiceWorker.workerRegistrationUpdated', (event) => registrations.push(...event.registrations));
    await cdp.send('ServiceWorker.enable');
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await pushService?.close();
  });

  it('shows the notification state plainly before notifications are allowed', async () => {
    const activation = await push.createActivation('aiko', { actor: 'test' });
    await page.goto(activation.url.replace('http://127.0.0.1:8080', gw.url));
    await eventually(() => page.locator('#push-notify-state').getAttribute('data-state')).toBe(
      'pushStateDefault',
    );
    expect(await page.locator('#push-notify-state').textContent()).toBe(
      'Notifications: not allowed yet. Press "Turn on notifications".',
    );
    expect(await page.locator('#push-notifications').isVisible()).toBe(true);
  });

  it('shows a push as a notification without the number; opening the app shows its card', async () => {
    await phone.grantPermissions(['notifications'], { origin: gw.url });
    await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state);
    // The page registers a subscription through its own signed API call (its key never leaves
    // IndexedDB); the endpoint is the fake push service's, since Chromium here reaches none.
    const subscriber = pushService.subscribe();
    const fields = JSON.stringify({
      endpoint: subscriber.endpoint,
      p256dh: subscriber.p256dh,
      auth: subscriber.auth,
    });
    // A string, so the test runner leaves the page's own dynamic imports alone.
    const registered = await page.evaluate(`(async ({ endpoint, p256dh, auth }) => {
      const api = await import('/_sekisho/static/push/device-api.js');
      const store = await import('/_sekisho/static/push/device-store.js');
      const device = await store.loadDevice();
      const subscription = { endpoint, toJSON: () => ({ endpoint, keys: { p256dh, auth } }) };
      return (await api.postSubscription(device, subscription, 'en')).status;
    })(${fields})`);
    expect(registered).toBe(200);

    const started = await push.start({
      userId: 'aiko',
      ip: '203.0.113.200',
      userAgent: 'curl/8',
      path: '/bk02/report',
      decoy: false,
    });
    if (started.kind !== 'started') throw new Error(started.kind);
    const [message] = await pushService.waitForMessages(1);
    const words = (text: string) => text.split(/[^0-9]+/);
    expect(words(`${message!.payload.title} ${message!.payload.body}`)).not.toContain(String(started.number));

    // The page is closed: the service worker alone shows the push.
    await page.close();
    const registration = registrations.find((r) => r.scopeURL === `${gw.url}/_sekisho/push/`);
    expect(registration).toBeDefined();
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: gw.url,
      registrationId: registration!.registrationId,
      data: message!.plaintext,
    });
    await viewer.goto(`${gw.url}/_sekisho/push/enroll`);
    const shown = () =>
      viewer.evaluate(async () => {
        const sw = await navigator.serviceWorker.getRegistration('/_sekisho/push/');
        const list = (await sw?.getNotifications()) ?? [];
        return list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data as unknown }));
      });
    await eventually(async () => (await shown()).length).toBe(1);
    const [notification] = await shown();
    expect(notification).toEqual({
      title: 'Sekisho: login approval request',
      body: '[Unfamiliar browser or network] aiko is logging in to /bk02/report (curl, 203.0.113.200). Open to pick the number on the login screen.',
      tag: started.transactionId,
      data: { url: '/_sekisho/push/app' },
    });
    expect(words(notification!.body)).not.toContain(String(started.number));

    // What a tap opens (no authenticator window is open): the app, with the request's card.
    const app = await phone.newPage();
    await app.goto(`${gw.url}${(notification!.data as { url: string }).url}`);
    await eventually(() => app.locator(`li[data-transaction-id="${started.transactionId}"]`).count()).toBe(1);
  });
});
