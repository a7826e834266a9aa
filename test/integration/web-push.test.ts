import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceCommand } from '../../src/cli/commands/device.ts';
import { request } from 'undici';
import type { PushService } from '../../src/ports/push-service.ts';
import { newNonce, sign, subscribePayload, testPushPayload } from '../../views/static/push/protocol.js';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import { enrolDevice, signedInbox, type TestDevice } from '../support/push-harness.ts';
import { waitFor } from '../support/wait-for.ts';
import { startFakePushService, type FakePushService, type FakeSubscriber } from '../fakes/web-push-server.ts';

/**
 * Web Push through the real gateway to a fake push service that checks the VAPID JWT itself and
 * decrypts with http_ece: one valid message per device, nothing in it that approves; 410 forgets
 * the subscription; a disallowed endpoint is refused and never contacted; a hanging push service
 * does not hold the wait page; revoking a device ends its long-poll.
 */
describe('Web Push from a push login', () => {
  let backend: FakeBackend;
  let pushService: FakePushService;
  let elsewhere: FakePushService;
  let gw: TestGateway;
  let push: PushService;
  const timeoutMs = 4000;

  beforeAll(async () => {
    backend = await startBackend();
    pushService = await startFakePushService();
    elsewhere = await startFakePushService();
    gw = await startGateway({
      config: {
        backends: { bk02: { url: backend.url } },
        push: {
          maxPendingPerUser: 20,
          webPush: {
            allowedEndpoints: [`${pushService.origin}/push/`],
            timeoutMs,
            subject: 'mailto:ops@example.jp',
          },
        },
      },
    });
    await setRules(gw, '/bk02/=ALL;;MAMORU');
    push = gw.runtime.gateway.push!;
  });
  afterAll(async () => {
    await gw?.close();
    await pushService?.close();
    await elsewhere?.close();
    await backend?.close();
  });

  async function subscribe(
    device: TestDevice,
    subscriber: Pick<FakeSubscriber, 'endpoint' | 'p256dh' | 'auth'>,
  ) {
    const time = Date.now();
    const nonce = newNonce();
    const fields = { endpoint: subscriber.endpoint, p256dh: subscriber.p256dh, auth: subscriber.auth };
    const signature = await sign(device.keys.privateKey, subscribePayload(device.id, time, nonce, fields));
    const body = {
      deviceId: device.id,
      time,
      nonce,
      signature,
      subscription: { endpoint: fields.endpoint, keys: { p256dh: fields.p256dh, auth: fields.auth } },
      locale: 'en',
    };
    return post('/_sekisho/push/device/subscription', body);
  }

  async function post(path: string, body: unknown) {
    const response = await request(`${gw.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
  }

  /** From the app's path to the wait page with the ID only; how long the wait page took. */
  async function pushLogin(id: string) {
    const client = new FormClient(gw.url);
    const first = await client.get('/bk02/app');
    const dispatcher = await client.get(first.headers.location as string);
    const identify = await client.get(dispatcher.headers.location as string);
    const started = performance.now();
    const posted = await client.post('/_sekisho/mfa/MAMORU', {
      _csrf: csrfField(identify.body),
      next: '/bk02/app',
      identify: '1',
      username: id,
    });
    expect(posted.status).toBe(303);
    const wait = await client.get(posted.headers.location as string);
    const elapsedMs = performance.now() - started;
    expect(wait.status).toBe(200);
    const number = /id="push-number"[^>]*>(\d\d)</.exec(wait.body)?.[1] ?? '';
    expect(number).toMatch(/^\d\d$/);
    return { number, elapsedMs };
  }

  async function auditEvents(user: string, prefix: string) {
    const { rows } = await gw.runtime.pool.query<{ event: string; detail: Record<string, unknown> }>(
      `SELECT event, detail FROM audit_events WHERE user_id = $1 AND event LIKE $2 ORDER BY id`,
      [user, `${prefix}%`],
    );
    return rows;
  }

  async function subscriptionCount(deviceId: string): Promise<number> {
    const { rows } = await gw.runtime.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM push_subscriptions WHERE device_id = $1',
      [deviceId],
    );
    return rows[0]?.n ?? 0;
  }

  it('delivers one valid, decryptable message per device, without the number or any token', async () => {
    await addUser(gw, 'aiko');
    const phones = [await enrolDevice(push, 'aiko'), await enrolDevice(push, 'aiko')];
    const subscribers = phones.map(() => pushService.subscribe());
    for (const [i, phone] of phones.entries()) {
      expect((await subscribe(phone, subscribers[i]!)).status).toBe(200);
    }
    const before = pushService.received.length;
    const { number } = await pushLogin('aiko');
    const all = await pushService.waitForMessages(before + 2);
    const mine = all.slice(before);
    expect(pushService.rejected).toEqual([]);
    expect(mine.map((m) => m.endpoint).sort()).toEqual(subscribers.map((s) => s.endpoint).sort());
    const vapidKey = await push.webPushKey();
    for (const message of mine) {
      expect(message.vapidKey).toBe(vapidKey);
      expect(message.claims.aud).toBe(pushService.origin);
      expect(message.claims.sub).toBe('mailto:ops@example.jp');
      expect(message.headers.urgency).toBe('high');
      const ttl = Number(message.headers.ttl);
      expect(ttl).toBeGreaterThanOrEqual(1);
      expect(ttl).toBeLessThanOrEqual(gw.config.push.requestTtlSeconds);
      expect(message.payload).toMatchObject({ type: 'login', url: '/_sekisho/push/app' });
      expect(String(message.payload.body)).toContain('aiko');
      expect(String(message.payload.body)).toContain('/bk02/app');
      // Nothing that approves: not the number, not the challenge, no token.
      const { title, body, tag } = message.payload as Record<string, string>;
      expect(`${title} ${body}`.split(/[^0-9]+/)).not.toContain(number);
      expect(tag).toMatch(/^ptx_/);
      expect(Object.keys(message.payload).sort()).toEqual([
        'body',
        'expiresAt',
        'tag',
        'title',
        'type',
        'url',
      ]);
    }
    const listed = await push.inbox(await signedInbox(phones[0]!, Date.now()));
    if (listed.kind !== 'ok') throw new Error('inbox refused');
    expect(listed.requests).toHaveLength(1);
    for (const m of mine) expect(m.plaintext).not.toContain(listed.requests[0]!.challenge);
    // Each delivery is audited once its push service has answered, a moment after the service
    // recorded the message.
    await waitFor(
      async () => (await auditEvents('aiko', 'push.webpush_delivered')).length >= 2,
      5000,
      'both deliveries audited',
    );
    expect((await auditEvents('aiko', 'push.webpush_delivered')).length).toBe(2);
  });

  it('forgets a subscription the push service says is gone (410)', async () => {
    await addUser(gw, 'goro');
    const phone = await enrolDevice(push, 'goro');
    const subscriber = pushService.subscribe();
    expect((await subscribe(phone, subscriber)).status).toBe(200);
    expect(await subscriptionCount(phone.id)).toBe(1);
    subscriber.mode = 'gone';
    await pushLogin('goro');
    await waitFor(async () => (await auditEvents('goro', 'push.webpush_gone')).length === 1, 5000);
    expect(await subscriptionCount(phone.id)).toBe(0);
    expect((await auditEvents('goro', 'push.webpush_gone'))[0]?.detail).toMatchObject({
      status: 410,
      deviceId: phone.id,
    });
  });

  it('refuses an endpoint that is not allowed, and never contacts it', async () => {
    await addUser(gw, 'kenji');
    const phone = await enrolDevice(push, 'kenji');
    const outsider = elsewhere.subscribe();
    const answer = await subscribe(phone, outsider);
    expect(answer).toEqual({ status: 403, body: { error: 'endpoint_not_allowed' } });
    // Not even a look-alike at a boundary: the allowed prefix is /push/, this is /push-x/.
    const lookalike = { ...pushService.subscribe(), endpoint: `${pushService.origin}/push-x/abc` };
    expect((await subscribe(phone, lookalike)).status).toBe(403);
    expect(await subscriptionCount(phone.id)).toBe(0);
    await pushLogin('kenji');
    await waitFor(async () => (await auditEvents('kenji', 'push.sent')).length === 1, 5000);
    expect(elsewhere.hits).toEqual([]);
    expect(pushService.hits.filter((h) => h.includes('/push-x/'))).toEqual([]);
    expect((await auditEvents('kenji', 'push.webpush_endpoint_refused')).length).toBe(2);
  });

  it('answers the wait page while the push service hangs; the send then fails on its timeout', async () => {
    await addUser(gw, 'hiro');
    const phone = await enrolDevice(push, 'hiro');
    const subscriber = pushService.subscribe();
    expect((await subscribe(phone, subscriber)).status).toBe(200);
    subscriber.mode = 'hang';
    const { elapsedMs } = await pushLogin('hiro');
    // Answered while the send was still hanging: no outcome is recorded yet.
    expect(await auditEvents('hiro', 'push.webpush_')).toEqual([
      expect.objectContaining({ event: 'push.webpush_subscribed' }),
    ]);
    expect(elapsedMs).toBeLessThan(timeoutMs / 2);
    await waitFor(async () => (await auditEvents('hiro', 'push.webpush_failed')).length === 1, timeoutMs * 3);
    expect((await auditEvents('hiro', 'push.webpush_failed'))[0]?.detail).toMatchObject({
      reason: 'timeout',
    });
    expect(await subscriptionCount(phone.id)).toBe(1);
  });

  it('sends a test notification on a signed request from the device', async () => {
    await addUser(gw, 'sora');
    const phone = await enrolDevice(push, 'sora');
    const subscriber = pushService.subscribe();
    expect((await subscribe(phone, subscriber)).status).toBe(200);
    const before = pushService.received.length;
    const time = Date.now();
    const nonce = newNonce();
    const signature = await sign(phone.keys.privateKey, testPushPayload(phone.id, time, nonce));
    const body = { deviceId: phone.id, time, nonce, signature };
    expect(await post('/_sekisho/push/device/test-push', body)).toEqual({
      status: 200,
      body: { outcome: 'delivered' },
    });
    const [message] = (await pushService.waitForMessages(before + 1)).slice(before);
    expect(message?.payload).toMatchObject({ type: 'test', title: 'Sekisho: test notification' });
    // The same signed call again is a replay.
    expect((await post('/_sekisho/push/device/test-push', body)).status).toBe(401);
  });

  it('ends a waiting long-poll when its device is revoked, and forgets its subscription', async () => {
    await addUser(gw, 'ren');
    const phone = await enrolDevice(push, 'ren');
    expect((await subscribe(phone, pushService.subscribe())).status).toBe(200);
    const started = performance.now();
    const waiting = push.inbox(await signedInbox(phone, Date.now(), 20_000));
    // The long-poll is armed once its first listing found nothing; then revoke.
    const seen = 'SELECT 1 FROM push_devices WHERE id = $1 AND last_seen_at IS NOT NULL';
    await waitFor(async () => (await gw.runtime.pool.query(seen, [phone.id])).rowCount === 1, 5000);
    expect(await push.revokeDevice(phone.id, { actor: 'admin' })).toBe(true);
    expect(await waiting).toEqual({ kind: 'unauthorized' });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await subscriptionCount(phone.id)).toBe(0);
  });
  it('the virtual authenticator keeps Web Push keys that decrypt what the gateway sends', async () => {
    await addUser(gw, 'yui');
    const dir = await mkdtemp(join(tmpdir(), 'sekisho-webpush-'));
    try {
      const file = join(dir, 'phone.json');
      const endpoint = `${pushService.origin}/push/cli-yui`;
      const activation = await push.createActivation('yui', { actor: 'test' });
      // The test gateway listens on a port of its own, not on its publicUrl's.
      const url = `${gw.url}${new URL(activation.url).pathname}${new URL(activation.url).hash}`;
      await deviceCommand(['enroll', url, '--store', file, '--push-endpoint', endpoint]);
      const stored = JSON.parse(await readFile(file, 'utf8')) as { webPush: Record<string, string> };
      expect(Object.keys(stored.webPush).sort()).toEqual(['auth', 'endpoint', 'p256dh', 'privateKey']);
      expect(stored.webPush.endpoint).toBe(endpoint);
      expect(Buffer.from(stored.webPush.p256dh!, 'base64url')).toHaveLength(65);
      expect(Buffer.from(stored.webPush.auth!, 'base64url')).toHaveLength(16);
      expect(Buffer.from(stored.webPush.privateKey!, 'base64url')).toHaveLength(32);
      // The fake push service decrypts with the keys from the store file, as a headless check would.
      const { p256dh, auth, privateKey } = stored.webPush as {
        p256dh: string;
        auth: string;
        privateKey: string;
      };
      const subscriber = pushService.subscribe({ p256dh, auth, privateKey, path: '/push/cli-yui' });
      expect(subscriber.p256dh).toBe(p256dh);
      const before = pushService.received.length;
      await pushLogin('yui');
      const [message] = (await pushService.waitForMessages(before + 1)).slice(before);
      expect(message?.endpoint).toBe(endpoint);
      expect(message?.payload).toMatchObject({ type: 'login' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Last: the pause holds for the whole push service (every subscription at that origin).
  it('honours a 429: the push service is left alone until its Retry-After', async () => {
    await addUser(gw, 'mai');
    const phone = await enrolDevice(push, 'mai');
    const subscriber = pushService.subscribe();
    expect((await subscribe(phone, subscriber)).status).toBe(200);
    subscriber.mode = 'rate-limited';
    await pushLogin('mai');
    await waitFor(async () => (await auditEvents('mai', 'push.webpush_throttled')).length === 1, 5000);
    const hitsBefore = pushService.hits.length;
    subscriber.mode = 'accept';
    await pushLogin('mai');
    await waitFor(async () => (await auditEvents('mai', 'push.webpush_deferred')).length === 1, 5000);
    expect(pushService.hits.length).toBe(hitsBefore);
  });
});
