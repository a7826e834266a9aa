import { createPublicKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxPayload, publicJwk, sign } from '../../views/static/push/protocol.js';
import { addUser, request, startGateway, type TestGateway } from '../support/gateway.ts';
import { enrolDevice, signedInbox, type TestDevice } from '../support/push-harness.ts';

/** The order of P-256: (r, n − s) is a second valid signature for every (r, s). */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * A signed inbox call (docs/push.md §1, §2) works once: a captured call replayed within its time
 * window is refused, on the instance that answered it and on any other sharing its store (Redis).
 */
describe('push device inbox: each signed call is single use', () => {
  let gw: TestGateway;
  let second: TestGateway;
  let device: TestDevice;

  beforeAll(async () => {
    gw = await startGateway();
    second = await startGateway({ sharedWith: gw });
    await addUser(gw, 'taro');
    const push = gw.runtime.gateway.push;
    if (!push) throw new Error('push service not enabled');
    device = await enrolDevice(push, 'taro');
  });
  afterAll(async () => {
    await second?.close();
    await gw?.close();
  });

  async function inbox(on: TestGateway, body: unknown) {
    const response = await request(`${on.url}/_sekisho/push/device/inbox`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.body.text();
    return { status: response.statusCode, json: text ? JSON.parse(text) : null };
  }

  async function captured() {
    const { waitMs: _waitMs, ...call } = await signedInbox(device, Date.now());
    return call;
  }

  it('answers a call once; the same call again is refused, here and on another instance', async () => {
    const call = await captured();
    expect(await inbox(gw, call)).toEqual({ status: 200, json: { requests: [] } });
    expect(await inbox(gw, call)).toEqual({ status: 401, json: { error: 'unauthorized' } });
    expect((await inbox(second, call)).status).toBe(401);
    // The device itself goes on working: every call it makes has a nonce of its own.
    const next = await captured();
    expect((await inbox(second, next)).status).toBe(200);
  });

  it('refuses the replay on another instance first too: one use in all', async () => {
    const call = await captured();
    expect((await inbox(second, call)).status).toBe(200);
    expect((await inbox(gw, call)).status).toBe(401);
  });

  it('refuses a replay with the second form of the signature, (r, n − s): the statement is remembered, not its bytes', async () => {
    const call = await captured();
    const raw = Buffer.from(call.signature, 'base64url');
    const s = BigInt(`0x${raw.subarray(32).toString('hex')}`);
    const flipped = Buffer.concat([
      raw.subarray(0, 32),
      Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex'),
    ]);
    const other = flipped.toString('base64url');
    // A genuine second signature: Node accepts it for the same payload.
    const key = createPublicKey({ key: await publicJwk(device.keys.publicKey), format: 'jwk' });
    const payload = Buffer.from(inboxPayload(device.id, call.time, call.nonce));
    expect(verify('sha256', payload, { key, dsaEncoding: 'ieee-p1363' }, flipped)).toBe(true);
    expect(other).not.toBe(call.signature);

    expect((await inbox(gw, call)).status).toBe(200);
    expect((await inbox(gw, { ...call, signature: other })).status).toBe(401);
  });

  it('a call without a nonce (a client from before nonces) works once as well', async () => {
    const time = Date.now();
    const signature = await sign(device.keys.privateKey, inboxPayload(device.id, time));
    const call = { deviceId: device.id, time, signature };
    expect((await inbox(gw, call)).status).toBe(200);
    expect((await inbox(gw, call)).status).toBe(401);
    // Nor can a replay add a nonce of its own: the signature does not cover it.
    expect((await inbox(gw, { ...call, nonce: 'A'.repeat(22) })).status).toBe(401);
  });
});
