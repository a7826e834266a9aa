import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PushStartResult } from '../../src/plugin-api.ts';
import { computeTokens } from '../../src/features/push/tokens.ts';
import type { PendingRequest } from '../../src/ports/push-service.ts';
import { activatePayload, generateDeviceKey, publicJwk, sign } from '../../views/static/push/protocol.js';
import { testSecret } from '../support/gateway.ts';
import {
  codeOf,
  enrolDevice,
  loginStart,
  pendingFor,
  phone,
  pushHarness,
  signedAnswer,
  signedInbox,
  type PushHarness,
  type TestDevice,
} from '../support/push-harness.ts';

let h: PushHarness;

beforeEach(async () => {
  h = await pushHarness();
  await h.addUser('taro');
  await h.addUser('hanako');
});
afterEach(async () => h.close());

function started(result: PushStartResult) {
  if (result.kind !== 'started') throw new Error(`start: ${result.kind}`);
  return result;
}

/** Starts a login for the device's user and returns the request as the device sees it. */
async function push(device: TestDevice, ip?: string): Promise<PendingRequest & { number: number | null }> {
  const { transactionId, number } = started(await h.service.start(loginStart(device.userId, { ip })));
  const request = (await pendingFor(h, device)).find((r) => r.transactionId === transactionId);
  if (!request) throw new Error('push not in the inbox');
  return { ...request, number };
}

/** Approves with the right number and returns the tokens of the first poll. */
async function approve(device: TestDevice, request: PendingRequest & { number: number | null }) {
  const answer = await h.service.respond(
    await signedAnswer(device, request, 'approve', request.number ?? ''),
    phone,
  );
  expect(answer).toEqual({ kind: 'decided', outcome: 'approved' });
  const polled = await h.service.poll(request.transactionId);
  if (polled.kind !== 'state' || !polled.tokens) throw new Error('no tokens');
  return polled.tokens;
}

describe('activation', () => {
  it('makes fragment URLs and stores only a hash of the code', async () => {
    const activation = await h.service.createActivation('taro', { actor: 'admin' });
    const code = codeOf(activation.url);
    expect(activation.url).toBe(`http://127.0.0.1:8080/_sekisho/push/app#activate=${code}`);
    expect(activation.enrolmentUrl).toBe(`http://127.0.0.1:8080/_sekisho/push/enroll#${code}`);
    expect(activation.expiresAt).toBe(h.clock.now() + 600_000);
    const { rows } = await h.pool.query('SELECT * FROM push_activations');
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(code);
    const events = (await h.auditRows()).map((r) => r.event);
    expect(events).toContain('push.activation_created');
  });

  it('refuses an unknown user with SEKISHO_ERR_USER_NOT_FOUND', async () => {
    await expect(h.service.createActivation('nobody', { actor: 'admin' })).rejects.toMatchObject({
      code: 'SEKISHO_ERR_USER_NOT_FOUND',
    });
  });

  it('registers a device once: a used activation is refused', async () => {
    const activation = await h.service.createActivation('taro', { actor: 'admin' });
    const code = codeOf(activation.url);
    const keys = await generateDeviceKey(true);
    const input = {
      code,
      publicKey: await publicJwk(keys.publicKey),
      name: 'Pixel\u0007 8',
      signature: await sign(keys.privateKey, activatePayload(code)),
    };
    expect(await h.service.peekActivation(code)).toEqual({ userId: 'taro', expiresAt: activation.expiresAt });
    expect(await h.service.peekActivation(code)).not.toBeNull();
    const first = await h.service.activate(input, phone);
    expect(first).toMatchObject({ kind: 'activated', userId: 'taro' });
    expect(await h.service.peekActivation(code)).toBeNull();
    expect(await h.service.activate(input, phone)).toEqual({ kind: 'invalid' });
    const devices = await h.service.listDevices('taro');
    expect(devices.map((d) => [d.name, d.userId, d.revokedAt])).toEqual([['Pixel  8', 'taro', null]]);
  });

  it('refuses an expired activation', async () => {
    const activation = await h.service.createActivation('taro', { actor: 'admin' });
    h.clock.advance(600_000);
    const code = codeOf(activation.url);
    expect(await h.service.peekActivation(code)).toBeNull();
    const keys = await generateDeviceKey(true);
    const signature = await sign(keys.privateKey, activatePayload(code));
    const result = await h.service.activate(
      { code, publicKey: await publicJwk(keys.publicKey), name: 'p', signature },
      phone,
    );
    expect(result).toEqual({ kind: 'invalid' });
    expect(await h.service.listDevices('taro')).toEqual([]);
  });

  it('refuses a signature by another key, and the code is used up anyway', async () => {
    const activation = await h.service.createActivation('taro', { actor: 'admin' });
    const code = codeOf(activation.url);
    const [mine, thief] = [await generateDeviceKey(true), await generateDeviceKey(true)];
    const publicKey = await publicJwk(mine.publicKey);
    const forged = await sign(thief.privateKey, activatePayload(code));
    expect(await h.service.activate({ code, publicKey, name: 'p', signature: forged }, phone)).toEqual({
      kind: 'bad_signature',
    });
    const good = await sign(mine.privateKey, activatePayload(code));
    expect(await h.service.activate({ code, publicKey, name: 'p', signature: good }, phone)).toEqual({
      kind: 'invalid',
    });
  });
});

describe('a push from start to verify', () => {
  it('shows the request, takes the right number, releases tokens once and verifies them once', async () => {
    const device = await enrolDevice(h.service, 'taro');
    const request = await push(device);
    expect(request.choices).toHaveLength(3);
    expect(new Set(request.choices).size).toBe(3);
    expect(request.choices).toContain(request.number);
    expect(request.client).toEqual({
      ip: '192.0.2.10',
      userAgent: expect.any(String),
      browser: 'Chrome on Windows',
    });
    expect(request.path).toBe('/app/');
    expect(await h.service.poll(request.transactionId)).toEqual({ kind: 'state', state: 'pending' });

    const tokens = await approve(device, request);
    const stored = (await h.store.read(`push:decision:${request.transactionId}`)) ?? '';
    expect(tokens).toEqual(computeTokens(testSecret, request.transactionId, JSON.parse(stored).nonce));
    expect(stored).not.toContain(tokens.token1);
    expect(await h.service.poll(request.transactionId)).toEqual({ kind: 'state', state: 'approved' });
    expect(await pendingFor(h, device)).toEqual([]);

    const verify = { transactionId: request.transactionId, userId: 'taro', ...tokens };
    expect(await h.service.verify(verify)).toBe(true);
    expect(await h.service.verify(verify)).toBe(false);
    const events = (await h.auditRows()).map((r) => r.event);
    expect(events).toEqual(expect.arrayContaining(['push.sent', 'push.approved', 'push.tokens_verified']));
    expect(events).toContain('push.tokens_refused');
  });

  it('refuses a tampered signature and records no decision', async () => {
    const device = await enrolDevice(h.service, 'taro');
    const request = await push(device);
    const answer = await signedAnswer(device, request, 'approve', request.number ?? '');
    const flipped = (answer.signature[10] === 'A' ? 'B' : 'A') as string;
    const tampered = {
      ...answer,
      signature: answer.signature.slice(0, 10) + flipped + answer.signature.slice(11),
    };
    expect(await h.service.respond(tampered, phone)).toEqual({ kind: 'unauthorized' });
    expect(await h.service.respond({ ...answer, signature: 'garbage' }, phone)).toEqual({
      kind: 'unauthorized',
    });
    expect(await h.service.poll(request.transactionId)).toEqual({ kind: 'state', state: 'pending' });
  });

  it('refuses a replayed approval and a second device', async () => {
    const device = await enrolDevice(h.service, 'taro');
    const second = await enrolDevice(h.service, 'taro');
    const request = await push(device);
    const answer = await signedAnswer(device, request, 'approve', request.number ?? '');
    expect(await h.service.respond(answer, phone)).toEqual({ kind: 'decided', outcome: 'approved' });
    expect(await h.service.respond(answer, phone)).toEqual({ kind: 'already_decided' });
    const late = await signedAnswer(second, request, 'deny');
    expect(await h.service.respond(late, phone)).toEqual({ kind: 'already_decided' });
  });

  it('lets exactly one of two concurrent answers win', async () => {
    const [a, b] = [await enrolDevice(h.service, 'taro'), await enrolDevice(h.service, 'taro')];
    const request = await push(a);
    const answers = await Promise.all([
      h.service.respond(await signedAnswer(a, request, 'approve', request.number ?? ''), phone),
      h.service.respond(await signedAnswer(b, request, 'deny'), phone),
    ]);
    expect(answers.filter((r) => r.kind === 'decided')).toHaveLength(1);
    expect(answers.filter((r) => r.kind === 'already_decided')).toHaveLength(1);
  });

  it('refuses a signature for transaction A used on transaction B', async () => {
    const device = await enrolDevice(h.service, 'taro');
    const a = await push(device);
    const b = await push(device);
    const forA = await signedAnswer(device, a, 'approve', a.number ?? '');
    expect(
      await h.service.respond({ ...forA, transactionId: b.transactionId, number: String(b.number) }, phone),
    ).toEqual({
      kind: 'unauthorized',
    });
    expect(await h.service.poll(b.transactionId)).toEqual({ kind: 'state', state: 'pending' });
  });

  it("refuses another user's device and never shows it the request", async () => {
    const taros = await enrolDevice(h.service, 'taro');
    const hanakos = await enrolDevice(h.service, 'hanako');
    const request = await push(taros);
    expect(await pendingFor(h, hanakos)).toEqual([]);
    const answer = await signedAnswer(hanakos, request, 'approve', request.number ?? '');
    expect(await h.service.respond(answer, phone)).toEqual({ kind: 'no_such_request' });
    expect(await h.service.poll(request.transactionId)).toEqual({ kind: 'state', state: 'pending' });
  });

  it('ends the push on a wrong number, and no tokens are ever released', async () => {
    const device = await enrolDevice(h.service, 'taro');
    const request = await push(device);
    const wrong = request.choices.find((n) => n !== request.number) as number;
    expect(await h.service.respond(await signedAnswer(device, request, 'approve', wrong), phone)).toEqual({
      kind: 'decided',
      outcome: 'wrong_number',
    });
    const right = await signedAnswer(device, request, 'approve', request.number ?? '');
    expect(await h.service.respond(right, phone)).toEqual({ kind: 'already_decided' });
    expect(await h.service.poll(request.transactionId)).toEqual({ kind: 'state', state: 'wrong_number' });
    expect(await h.service.poll(request.transactionId)).toEqual({ kind: 'state', state: 'wrong_number' });
    const guessed = computeTokens(testSecret, request.transactionId, '');
    expect(await h.service.verify({ transactionId: request.transactionId, userId: 'taro', ...guessed })).toBe(
      false,
    );
    expect((await h.auditRows()).map((r) => r.event)).toContain('push.wrong_number');
  });

  it('denies, and a report denies too, with a warning and an audit row', async () => {
    const device = await enrolDevice(h.service, 'taro');
    const denied = await push(device);
    expect(await h.service.respond(await signedAnswer(device, denied, 'deny'), phone)).toEqual({
      kind: 'decided',
      outcome: 'denied',
    });
    expect(await h.service.poll(denied.transactionId)).toEqual({ kind: 'state', state: 'denied' });
    const reported = await push(device);
    expect(await h.service.respond(await signedAnswer(device, reported, 'report'), phone)).toEqual({
      kind: 'decided',
      outcome: 'reported',
    });
    expect(await h.service.poll(reported.transactionId)).toEqual({ kind: 'state', state: 'denied' });
    const warning = h.logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'push reported by user');
    expect(warning).toMatchObject({ level: 40, user: 'taro', transactionId: reported.transactionId });
    const rows = await h.auditRows();
    expect(rows.map((r) => r.event)).toEqual(expect.arrayContaining(['push.denied', 'push.reported']));
  });

  it('expires an unanswered push: gone from the inbox, no answer taken', async () => {
    const device = await enrolDevice(h.service, 'taro');
    const request = await push(device);
    h.clock.advance(60_000);
    expect(await pendingFor(h, device)).toEqual([]);
    const answer = await signedAnswer(device, request, 'approve', request.number ?? '');
    expect(await h.service.respond(answer, phone)).toEqual({ kind: 'no_such_request' });
    expect(await h.service.poll(request.transactionId)).toEqual({ kind: 'state', state: 'expired' });
  });

  it('works without number matching: no choices, no number', async () => {
    await h.close();
    h = await pushHarness({ numberMatching: false });
    await h.addUser('taro');
    const device = await enrolDevice(h.service, 'taro');
    const request = await push(device);
    expect(request.choices).toEqual([]);
    expect(request.number).toBeNull();
    const tokens = await approve(device, request);
    expect(await h.service.verify({ transactionId: request.transactionId, userId: 'taro', ...tokens })).toBe(
      true,
    );
  });
});

describe('devices', () => {
  it('refuses a revoked device for the inbox and for answers', async () => {
    const device = await enrolDevice(h.service, 'taro');
    const request = await push(device);
    expect(await h.service.revokeDevice(device.id, { actor: 'admin' })).toBe(true);
    expect(await h.service.revokeDevice(device.id, { actor: 'admin' })).toBe(false);
    expect(await h.service.inbox(await signedInbox(device, h.clock.now()))).toEqual({ kind: 'unauthorized' });
    const answer = await signedAnswer(device, request, 'approve', request.number ?? '');
    expect(await h.service.respond(answer, phone)).toEqual({ kind: 'unauthorized' });
    const [listed] = await h.service.listDevices('taro');
    expect(listed?.revokedAt?.getTime()).toBe(h.clock.now());
    expect((await h.auditRows()).map((r) => r.event)).toContain('push.device_revoked');
  });

  it('refuses an inbox read signed over a time more than 300 s away, and records when a device was seen', async () => {
    const device = await enrolDevice(h.service, 'taro');
    const now = h.clock.now();
    expect(await h.service.inbox(await signedInbox(device, now - 301_000))).toEqual({ kind: 'unauthorized' });
    expect(await h.service.inbox(await signedInbox(device, now + 301_000))).toEqual({ kind: 'unauthorized' });
    const other = await enrolDevice(h.service, 'hanako');
    const stolen = { ...(await signedInbox(other, now)), deviceId: device.id };
    expect(await h.service.inbox(stolen)).toEqual({ kind: 'unauthorized' });
    expect((await h.service.listDevices('taro'))[0]?.lastSeenAt).toBeNull();
    h.clock.advance(5000);
    expect(await h.service.inbox(await signedInbox(device, now + 299_000))).toEqual({
      kind: 'ok',
      requests: [],
    });
    expect((await h.service.listDevices('taro'))[0]?.lastSeenAt?.getTime()).toBe(now + 5000);
  });
});

describe('push bombing, decoys and environments', () => {
  it('answers busy over the cap, and starts again once the window has slid past', async () => {
    for (let i = 0; i < 3; i++) expect((await h.service.start(loginStart('taro'))).kind).toBe('started');
    expect(await h.service.start(loginStart('taro'))).toEqual({ kind: 'busy', retryAt: expect.any(Number) });
    expect(await h.service.start(loginStart('nobody', { decoy: true }))).toMatchObject({ kind: 'started' });
    h.clock.advance(600_000);
    expect((await h.service.start(loginStart('taro'))).kind).toBe('started');
    expect((await h.auditRows()).map((r) => r.event)).toContain('push.busy');
  });

  it('counts a burst across a window edge as one window: no double allowance at the edge', async () => {
    const windowMs = 300_000;
    h.clock.advance(windowMs - (h.clock.now() % windowMs) - 5000); // 5 s before an edge
    for (let i = 0; i < 3; i++) expect((await h.service.start(loginStart('jiro'))).kind).toBe('started');
    h.clock.advance(10_000); // 5 s after it
    expect(await h.service.start(loginStart('jiro'))).toEqual({ kind: 'busy', retryAt: expect.any(Number) });
  });

  it('makes a decoy look started but sends it to no device, and it can never be approved', async () => {
    const device = await enrolDevice(h.service, 'taro');
    const decoy = started(await h.service.start(loginStart('taro', { decoy: true })));
    expect(decoy.number).toBeGreaterThanOrEqual(10);
    expect(decoy.number).toBeLessThan(100);
    expect(await pendingFor(h, device)).toEqual([]);
    const guess = { transactionId: decoy.transactionId, challenge: 'A'.repeat(43) };
    const answer = await signedAnswer(device, guess, 'approve', decoy.number ?? '');
    expect(await h.service.respond(answer, phone)).toEqual({ kind: 'no_such_request' });
    expect(await h.service.poll(decoy.transactionId)).toEqual({ kind: 'state', state: 'pending' });
    h.clock.advance(60_000);
    expect(await h.service.poll(decoy.transactionId)).toEqual({ kind: 'state', state: 'expired' });
    const row = (await h.auditRows()).find((r) => r.event === 'push.sent');
    expect(row?.detail).toMatchObject({ devices: 0, decoy: true });
  });

  it('flags an unknown environment until a login from it is verified through the API, and again for another IP', async () => {
    const device = await enrolDevice(h.service, 'taro');
    const first = await push(device);
    expect(first.unknownEnvironment).toBe(true);
    expect((await h.auditRows()).map((r) => r.event)).toContain('push.unknown_environment');
    // This gateway's own verify leaves remembering to its session service (after newdevice= judged).
    const local = await push(device);
    const localTokens = await approve(device, local);
    expect(
      await h.service.verify({ transactionId: local.transactionId, userId: 'taro', ...localTokens }),
    ).toBe(true);
    const tokens = await approve(device, first);
    const again = await push(device);
    expect(again.unknownEnvironment).toBe(true);
    expect(
      await h.service.verifyRemote({ transactionId: first.transactionId, userId: 'taro', ...tokens }),
    ).toBe(true);
    expect((await push(device)).unknownEnvironment).toBe(false);
    h.clock.advance(600_000); // past the push-bombing window (it slides)
    expect((await push(device, '198.51.100.7')).unknownEnvironment).toBe(true);
  });
});

describe('tokens', () => {
  it('are refused after tokenTtlSeconds', async () => {
    const device = await enrolDevice(h.service, 'taro');
    const request = await push(device);
    const tokens = await approve(device, request);
    h.clock.advance(120_001);
    expect(await h.service.verify({ transactionId: request.transactionId, userId: 'taro', ...tokens })).toBe(
      false,
    );
  });

  it('are refused for another user and for another transaction', async () => {
    const device = await enrolDevice(h.service, 'taro');
    const a = await push(device);
    const b = await push(device);
    const tokensA = await approve(device, a);
    await approve(device, b);
    expect(await h.service.verify({ transactionId: a.transactionId, userId: 'hanako', ...tokensA })).toBe(
      false,
    );
    expect(await h.service.verify({ transactionId: b.transactionId, userId: 'taro', ...tokensA })).toBe(
      false,
    );
    expect(await h.service.verify({ transactionId: a.transactionId, userId: 'taro', ...tokensA })).toBe(true);
  });

  it('never appear, nor codes, challenges or signatures, in the audit trail or the log', async () => {
    const activation = await h.service.createActivation('taro', { actor: 'admin' });
    const device = await enrolDevice(h.service, 'taro');
    const request = await push(device);
    const answer = await signedAnswer(device, request, 'approve', request.number ?? '');
    await h.service.respond(answer, phone);
    const polled = await h.service.poll(request.transactionId);
    if (polled.kind !== 'state' || !polled.tokens) throw new Error('no tokens');
    await h.service.verify({ transactionId: request.transactionId, userId: 'taro', ...polled.tokens });
    const secrets = [
      codeOf(activation.url),
      request.challenge,
      answer.signature,
      polled.tokens.token1,
      polled.tokens.token2,
    ];
    const written = JSON.stringify(await h.auditRows()) + h.logLines.join('\n');
    expect(written).toContain('push.tokens_verified');
    for (const secret of secrets) expect(written).not.toContain(secret);
  });
});

describe('long-poll inbox', () => {
  it('returns as soon as a push for the user starts', async () => {
    const device = await enrolDevice(h.service, 'taro');
    let listed: () => void = () => {};
    const waiting = new Promise<void>((resolve) => (listed = resolve));
    const setMembers = h.store.setMembers.bind(h.store);
    h.store.setMembers = async (key) => {
      const members = await setMembers(key);
      listed();
      return members;
    };
    const inbox = h.service.inbox(await signedInbox(device, h.clock.now(), 25_000));
    await waiting;
    const start = h.service.start(loginStart('taro'));
    const [result, begun] = await Promise.all([inbox, start]);
    expect(begun.kind).toBe('started');
    expect(result.kind === 'ok' && result.requests.map((r) => r.transactionId)).toEqual([
      begun.kind === 'started' && begun.transactionId,
    ]);
  });

  it('answers a waiting inbox with nothing when the service closes', async () => {
    const device = await enrolDevice(h.service, 'taro');
    let listed: () => void = () => {};
    const waiting = new Promise<void>((resolve) => (listed = resolve));
    const setMembers = h.store.setMembers.bind(h.store);
    h.store.setMembers = async (key) => {
      const members = await setMembers(key);
      listed();
      return members;
    };
    const inbox = h.service.inbox(await signedInbox(device, h.clock.now(), 25_000));
    await waiting;
    await h.service.close();
    expect(await inbox).toEqual({ kind: 'ok', requests: [] });
  });
});
