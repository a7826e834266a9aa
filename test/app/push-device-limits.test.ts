import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../support/gateway.ts';
import { buildTestApp, type TestApp } from '../support/test-app.ts';
import { enrolDevice, signedInbox as signedInboxCall, type TestDevice } from '../support/push-harness.ts';

/** device-routes.ts: calls per client IP per minute. */
const inboxLimit = 600;
const respondLimit = 120;

/**
 * The device API's per-IP limits, on a real gateway (rate-limit counters in Redis). The gateway
 * trusts the loopback proxy, so X-Forwarded-For stands for the phones' addresses.
 */
describe('push device API rate limits (inbox and respond)', () => {
  let gw: TestApp;
  let device: TestDevice;

  beforeAll(async () => {
    gw = await buildTestApp({ config: { trustProxy: ['127.0.0.1'] } });
    await addUser(gw, 'taro');
    const push = gw.runtime.gateway.push;
    if (!push) throw new Error('push service not enabled');
    device = await enrolDevice(push, 'taro');
  });
  afterAll(async () => {
    await gw?.close();
  });

  async function call(path: string, from: string, body: unknown) {
    const response = await gw.app.inject({
      method: 'POST',
      url: `/_sekisho/push/device/${path}`,
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
      payload: JSON.stringify(body),
    });
    const text = response.body;
    return { status: response.statusCode, headers: response.headers, json: text ? JSON.parse(text) : null };
  }

  /** `count` calls from one address, a few at a time; their statuses in order of sending. */
  async function burst(path: string, from: string, count: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let sent = 0; sent < count; sent += 20) {
      const batch = Array.from({ length: Math.min(20, count - sent) }, () => call(path, from, {}));
      for (const result of await Promise.all(batch)) statuses.push(result.status);
    }
    return statuses;
  }

  async function signedInbox() {
    const { deviceId, time, nonce, signature } = await signedInboxCall(device, Date.now());
    return { deviceId, time, nonce, signature };
  }

  it('answers a signed inbox call (the control case)', async () => {
    const inbox = await call('inbox', '198.51.100.1', await signedInbox());
    expect(inbox).toMatchObject({ status: 200, json: { requests: [] } });
  });

  it(`allows ${inboxLimit} inbox calls per IP per minute, then 429 in the API's JSON, for signed calls too`, async () => {
    const phone = '198.51.100.2';
    const statuses = await burst('inbox', phone, inboxLimit);
    expect(statuses.filter((s) => s !== 400)).toEqual([]);
    const limited = await call('inbox', phone, {});
    expect(limited).toMatchObject({ status: 429, json: { error: 'too_many_requests' } });
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.headers['cache-control']).toBe('no-store');
    expect((await call('inbox', phone, await signedInbox())).status).toBe(429);
  });

  it('counts per address and per route: another phone and the same phone’s respond are not limited', async () => {
    expect((await call('inbox', '198.51.100.3', await signedInbox())).status).toBe(200);
    expect((await call('respond', '198.51.100.2', {})).status).toBe(400);
  });

  it(`allows ${respondLimit} respond calls per IP per minute, then 429`, async () => {
    const phone = '198.51.100.4';
    const statuses = await burst('respond', phone, respondLimit);
    expect(statuses.filter((s) => s !== 400)).toEqual([]);
    const limited = await call('respond', phone, {});
    expect(limited).toMatchObject({ status: 429, json: { error: 'too_many_requests' } });
    expect(limited.headers['retry-after']).toBe('60');
    // The inbox of that phone is a separate allowance.
    expect((await call('inbox', phone, await signedInbox())).status).toBe(200);
  });
});
