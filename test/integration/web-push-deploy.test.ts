import webpush from 'web-push';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { newNonce, sign, subscribePayload } from '../../views/static/push/protocol.js';
import { addUser, startGateway, type TestGateway } from '../support/gateway.ts';
import { enrolDevice, type TestDevice } from '../support/push-harness.ts';
import { waitFor } from '../support/wait-for.ts';
import { startConnectProxy } from '../fakes/connect-proxy.ts';
import { startFakePushService, type FakePushService, type FakeSubscriber } from '../fakes/web-push-server.ts';

async function subscribe(gw: TestGateway, device: TestDevice, subscriber: FakeSubscriber): Promise<number> {
  const time = Date.now();
  const nonce = newNonce();
  const { endpoint, p256dh, auth } = subscriber;
  const signature = await sign(
    device.keys.privateKey,
    subscribePayload(device.id, time, nonce, { endpoint, p256dh, auth }),
  );
  const body = {
    deviceId: device.id,
    time,
    nonce,
    signature,
    subscription: { endpoint, keys: { p256dh, auth } },
  };
  const response = await fetch(`${gw.url}/_sekisho/push/device/subscription`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.status;
}

async function startLogin(gw: TestGateway, userId: string) {
  const started = await gw.runtime.gateway.push!.start({
    userId,
    ip: '127.0.0.1',
    userAgent: 'curl/8',
    path: '/bk02/',
    decoy: false,
  });
  if (started.kind !== 'started') throw new Error(started.kind);
  return started;
}

async function audited(gw: TestGateway, user: string, event: string) {
  const { rows } = await gw.runtime.pool.query<{ detail: Record<string, unknown> }>(
    'SELECT detail FROM audit_events WHERE user_id = $1 AND event = $2',
    [user, event],
  );
  return rows;
}

describe('deploying Web Push', () => {
  let pushService: FakePushService;
  let other: FakePushService;
  const gateways: TestGateway[] = [];

  beforeAll(async () => {
    pushService = await startFakePushService();
    other = await startFakePushService();
  });
  afterAll(async () => {
    for (const gw of gateways.reverse()) await gw.close();
    await pushService?.close();
    await other?.close();
  });
  beforeEach(() => {
    // No NO_PROXY from the machine running the tests: each test sets its own.
    vi.stubEnv('no_proxy', undefined);
    vi.stubEnv('NO_PROXY', undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('instances that start at once make one VAPID key pair between them and keep it', async () => {
    // The first instance runs no push service, so it makes no key; the next two race for it.
    const first = await startGateway({ config: { push: { enabled: false } } });
    gateways.push(first);
    const [a, b] = await Promise.all([
      startGateway({ sharedWith: first }),
      startGateway({ sharedWith: first }),
    ]);
    gateways.push(a, b);
    const keyA = await a.runtime.gateway.push!.webPushKey();
    expect(keyA).toMatch(/^B[A-Za-z0-9_-]{86}$/);
    expect(await b.runtime.gateway.push!.webPushKey()).toBe(keyA);
    const { rows } = await a.runtime.pool.query(
      "SELECT count(*)::int AS n FROM gateway_keys WHERE purpose = 'vapid'",
    );
    expect(rows[0]).toEqual({ n: 1 });
  });

  it('uses the configured key pair, and posts through the configured proxy', async () => {
    const proxy = await startConnectProxy();
    try {
      const pair = webpush.generateVAPIDKeys();
      const gw = await startGateway({
        config: {
          push: {
            webPush: {
              vapidPublicKey: pair.publicKey,
              vapidPrivateKey: pair.privateKey,
              allowedEndpoints: [`${pushService.origin}/push/`],
              proxy: proxy.url,
            },
          },
        },
      });
      gateways.push(gw);
      expect(await gw.runtime.gateway.push!.webPushKey()).toBe(pair.publicKey);
      await addUser(gw, 'taro');
      const device = await enrolDevice(gw.runtime.gateway.push!, 'taro');
      const subscriber = pushService.subscribe();
      expect(await subscribe(gw, device, subscriber)).toBe(200);
      const before = pushService.received.length;
      await startLogin(gw, 'taro');
      const [message] = (await pushService.waitForMessages(before + 1)).slice(before);
      expect(message?.vapidKey).toBe(pair.publicKey);
      expect(proxy.tunnels).toEqual([new URL(pushService.origin).host]);
    } finally {
      await proxy.close();
    }
  });

  it('posts straight to a push service NO_PROXY names, and only those', async () => {
    const proxy = await startConnectProxy();
    try {
      const gw = await startGateway({
        config: {
          push: { webPush: { allowedEndpoints: [`${pushService.origin}/push/`], proxy: proxy.url } },
        },
      });
      gateways.push(gw);
      await addUser(gw, 'saburo');
      const device = await enrolDevice(gw.runtime.gateway.push!, 'saburo');
      expect(await subscribe(gw, device, pushService.subscribe())).toBe(200);
      vi.stubEnv('NO_PROXY', `intranet.example.co.jp,${new URL(pushService.origin).host}`);
      const before = pushService.received.length;
      await startLogin(gw, 'saburo');
      await pushService.waitForMessages(before + 1);
      expect(proxy.tunnels).toEqual([]);
      vi.stubEnv('NO_PROXY', 'intranet.example.co.jp');
      await startLogin(gw, 'saburo');
      await pushService.waitForMessages(before + 2);
      expect(proxy.tunnels).toEqual([new URL(pushService.origin).host]);
    } finally {
      await proxy.close();
    }
  });

  it('does not follow a redirect from a push service', async () => {
    const gw = await startGateway({
      config: { push: { webPush: { allowedEndpoints: [`${pushService.origin}/push/`] } } },
    });
    gateways.push(gw);
    await addUser(gw, 'jiro');
    const device = await enrolDevice(gw.runtime.gateway.push!, 'jiro');
    const subscriber = pushService.subscribe();
    expect(await subscribe(gw, device, subscriber)).toBe(200);
    subscriber.mode = 'redirect';
    subscriber.redirectTo = `${other.origin}/push/elsewhere`;
    await startLogin(gw, 'jiro');
    await waitFor(async () => (await audited(gw, 'jiro', 'push.webpush_failed')).length === 1, 5000);
    expect((await audited(gw, 'jiro', 'push.webpush_failed'))[0]?.detail).toMatchObject({ status: 301 });
    expect(other.hits).toEqual([]);
  });
});
