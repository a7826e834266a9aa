import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { registerPushRoutes } from '../../src/features/push/routes.ts';
import type { PendingRequest } from '../../src/ports/push-service.ts';
import {
  activatePayload,
  generateDeviceKey,
  inboxPayload,
  publicJwk,
  sign,
} from '../../views/static/push/protocol.js';
import {
  chromeOnWindows,
  codeOf,
  enrolDevice,
  pushHarness,
  signedAnswer,
  signedInbox,
  type PushHarness,
  type TestDevice,
} from '../support/push-harness.ts';

const apiKey = 'k'.repeat(40);

let h: PushHarness;
let apps: FastifyInstance[];

beforeEach(async () => {
  h = await pushHarness({ apiKeys: [apiKey, 'other-key-'.repeat(4)] });
  await h.addUser('taro');
  await h.addUser('hanako');
  apps = [];
});
afterEach(async () => {
  for (const app of apps) await app.close();
  await h.close();
});

/** The routes as the gateway mounts them, in an app of their own that the tests inject into. */
async function serve(config: Config = h.config): Promise<FastifyInstance> {
  const app = Fastify();
  apps.push(app);
  await app.register(rateLimit, { global: false });
  await registerPushRoutes(app, h.service, config);
  await app.ready();
  return app;
}

async function post(app: FastifyInstance, path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = response.body;
  return { status: response.statusCode, headers: response.headers, json: text ? JSON.parse(text) : null };
}

const api = (routes: FastifyInstance, call: string, body: unknown, key = apiKey) =>
  post(routes, `/_sekisho/push/api/v1/auth/${call}`, body, { authorization: `Bearer ${key}` });

async function inboxOver(routes: FastifyInstance, device: TestDevice, waitSeconds = 0) {
  const { time, nonce, signature } = await signedInbox(device, h.clock.now());
  const body = { deviceId: device.id, time, nonce, signature, waitSeconds };
  return post(routes, '/_sekisho/push/device/inbox', body);
}

async function activationBody() {
  const code = codeOf((await h.service.createActivation('taro', { actor: 'test' })).url);
  const keys = await generateDeviceKey(true);
  const publicKey = await publicJwk(keys.publicKey);
  return { code, publicKey, name: 'Phone', signature: await sign(keys.privateKey, activatePayload(code)) };
}

describe('device API', () => {
  it('activates once, answers 410 after, 400 for bad input, and is never cached', async () => {
    const routes = await serve();
    const body = await activationBody();
    const first = await post(routes, `/_sekisho/push/device/activate`, body);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({
      deviceId: expect.stringMatching(/^dev_[A-Za-z0-9_-]{22}$/),
      userId: 'taro',
    });
    expect(first.headers['cache-control']).toBe('no-store');
    expect(await post(routes, `/_sekisho/push/device/activate`, body)).toMatchObject({
      status: 410,
      json: { error: 'activation_invalid' },
    });
    const bad = await activationBody();
    const badKey = { ...bad, publicKey: { ...bad.publicKey, x: bad.publicKey.y.slice(0, 42) + 'A' } };
    expect(
      (await post(routes, `/_sekisho/push/device/activate`, { ...bad, publicKey: { kty: 'RSA' } })).status,
    ).toBe(400);
    expect((await post(routes, `/_sekisho/push/device/activate`, '{"code":')).json).toEqual({
      error: 'bad_request',
    });
    const notOnCurve = await post(routes, `/_sekisho/push/device/activate`, badKey);
    expect(notOnCurve).toMatchObject({ status: 400, json: { error: 'bad_request' } });
    expect((await post(routes, `/_sekisho/push/device/activate`, bad)).status).toBe(200);
  });

  it('answers 401 for a bad activation signature and the code is used up', async () => {
    const routes = await serve();
    const body = await activationBody();
    const forged = { ...body, signature: 'x' };
    expect(await post(routes, `/_sekisho/push/device/activate`, forged)).toMatchObject({
      status: 401,
      json: { error: 'bad_signature' },
    });
    expect((await post(routes, `/_sekisho/push/device/activate`, body)).status).toBe(410);
  });

  it('limits activations per client per minute', async () => {
    const routes = await serve();
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++)
      statuses.push((await post(routes, `/_sekisho/push/device/activate`, {})).status);
    expect(statuses.every((s) => s === 400)).toBe(true);
    const limited = await post(routes, `/_sekisho/push/device/activate`, {});
    expect(limited).toMatchObject({ status: 429, json: { error: 'too_many_requests' } });
    expect(limited.headers['cache-control']).toBe('no-store');
  });

  it('answers inbox and respond calls as the protocol says', async () => {
    const routes = await serve();
    const taros = await enrolDevice(h.service, 'taro');
    const hanakos = await enrolDevice(h.service, 'hanako');
    const started = await api(routes, 'start', {
      user_id: 'taro',
      ip: '192.0.2.1',
      user_agent: chromeOnWindows,
      path: '/x',
      decoy: false,
    });
    const inbox = await inboxOver(routes, taros);
    expect(inbox.status).toBe(200);
    const [pending] = inbox.json.requests as PendingRequest[];
    expect(pending?.transactionId).toBe(started.json.transaction_id);
    if (!pending) throw new Error('nothing pending');
    const staleCall = await post(routes, `/_sekisho/push/device/inbox`, {
      deviceId: taros.id,
      time: 1,
      signature: await sign(taros.keys.privateKey, inboxPayload(taros.id, 1)),
    });
    expect(staleCall).toMatchObject({ status: 401, json: { error: 'unauthorized' } });

    const respond = '/_sekisho/push/device/respond';
    expect(await post(routes, respond, await signedAnswer(hanakos, pending, 'deny'))).toMatchObject({
      status: 404,
      json: { error: 'no_such_request' },
    });
    const answer = await signedAnswer(taros, pending, 'approve', started.json.number);
    expect(
      await post(routes, respond, { ...answer, signature: answer.signature.split('').reverse().join('') }),
    ).toMatchObject({
      status: 401,
      json: { error: 'unauthorized' },
    });
    expect(await post(routes, respond, { ...answer, number: Number(answer.number) })).toMatchObject({
      status: 200,
      json: { outcome: 'approved' },
    });
    expect(await post(routes, respond, answer)).toMatchObject({
      status: 409,
      json: { error: 'already_decided' },
    });
    expect((await post(routes, respond, { ...answer, decision: 'maybe' })).status).toBe(400);
  });

  it('long-polls: a waiting inbox returns when a push starts', async () => {
    const routes = await serve();
    const device = await enrolDevice(h.service, 'taro');
    const listed = nextInboxListing();
    const inbox = inboxOver(routes, device, 25);
    await listed;
    const start = api(routes, 'start', {
      user_id: 'taro',
      ip: '192.0.2.1',
      user_agent: 'x',
      path: '/',
      decoy: false,
    });
    const [waited, started] = await Promise.all([inbox, start]);
    expect(waited.json.requests.map((r: PendingRequest) => r.transactionId)).toEqual([
      started.json.transaction_id,
    ]);
  });

  it('lets the server close while an inbox is waiting', async () => {
    const routes = await serve();
    const device = await enrolDevice(h.service, 'taro');
    const listed = nextInboxListing();
    const inbox = inboxOver(routes, device, 25);
    await listed;
    await Promise.all(apps.map((app) => app.close()));
    apps = [];
    expect(await inbox).toMatchObject({ status: 200, json: { requests: [] } });
  });
});

describe('Mamoru-style API', () => {
  it('runs a whole push with a good key: start, poll, tokens once, verify once', async () => {
    const routes = await serve();
    const device = await enrolDevice(h.service, 'taro');
    const start = await api(routes, 'start', {
      user_id: 'taro',
      ip: '192.0.2.1',
      user_agent: chromeOnWindows,
      path: '/',
      decoy: false,
    });
    expect(start).toMatchObject({
      status: 200,
      json: {
        status: '0000',
        transaction_id: expect.any(String),
        number: expect.any(Number),
        expires_at: h.clock.now() + 60_000,
      },
    });
    const id = start.json.transaction_id as string;
    expect((await api(routes, 'poll', { transaction_id: id })).json).toEqual({
      status: '0000',
      state: 'pending',
    });
    const answer = await signedAnswer(
      device,
      { transactionId: id, challenge: (await pendingChallenge(routes, device))! },
      'approve',
      start.json.number,
    );
    expect((await post(routes, `/_sekisho/push/device/respond`, answer)).json).toEqual({
      outcome: 'approved',
    });
    const polled = await api(routes, 'poll', { transaction_id: id });
    expect(polled.json).toEqual({
      status: '0000',
      state: 'approved',
      token1: expect.any(String),
      token2: expect.any(String),
    });
    expect((await api(routes, 'poll', { transaction_id: id })).json).toEqual({
      status: '0000',
      state: 'approved',
    });
    const verify = {
      transaction_id: id,
      user_id: 'taro',
      token1: polled.json.token1,
      token2: polled.json.token2,
    };
    expect(await api(routes, 'verify', { ...verify, user_id: 'hanako' })).toMatchObject({
      status: 200,
      json: { status: '1401' },
    });
    expect(await api(routes, 'verify', verify)).toMatchObject({ status: 200, json: { status: '0000' } });
    expect((await api(routes, 'verify', verify)).json).toEqual({ status: '1401', message: 'refused' });
  });

  it('polls a push ended by a revoked phone as denied: the five states its clients know', async () => {
    const routes = await serve();
    const device = await enrolDevice(h.service, 'taro');
    const start = { user_id: 'taro', ip: '192.0.2.1', user_agent: chromeOnWindows, path: '/', decoy: false };
    const id = (await api(routes, 'start', start)).json.transaction_id as string;
    expect(await h.service.revokeDevice(device.id, { actor: 'admin' })).toBe(true);
    expect(await h.service.poll(id)).toEqual({ kind: 'state', state: 'revoked' });
    expect((await api(routes, 'poll', { transaction_id: id })).json).toEqual({
      status: '0000',
      state: 'denied',
    });
  });

  it('answers 1429 when the user is over the push-bombing cap', async () => {
    const routes = await serve();
    const start = { user_id: 'taro', ip: '192.0.2.1', user_agent: 'x', path: '/', decoy: true };
    for (let i = 0; i < 3; i++) expect((await api(routes, 'start', start)).json.status).toBe('0000');
    expect(await api(routes, 'start', start)).toMatchObject({ status: 200, json: { status: '1429' } });
  });

  it('refuses a bad or missing key with 401 and 1403, before reading the body', async () => {
    const routes = await serve();
    const poll = { transaction_id: 'ptx_' + 'A'.repeat(22) };
    expect(await api(routes, 'poll', poll, 'k'.repeat(39))).toMatchObject({
      status: 401,
      json: { status: '1403' },
    });
    expect(await api(routes, 'poll', poll, `${apiKey}x`)).toMatchObject({
      status: 401,
      json: { status: '1403' },
    });
    expect((await post(routes, `/_sekisho/push/api/v1/auth/poll`, poll)).status).toBe(401);
    expect((await api(routes, 'poll', '{not json', 'wrong')).status).toBe(401);
    expect(await api(routes, 'poll', poll, 'other-key-'.repeat(4))).toMatchObject({
      status: 200,
      json: { status: '0000', state: 'expired' },
    });
  });

  it('answers 400 and 1400 for bad JSON and bad fields', async () => {
    const routes = await serve();
    expect(await api(routes, 'poll', '{not json')).toMatchObject({ status: 400, json: { status: '1400' } });
    expect(await api(routes, 'start', { user_id: 'taro' })).toMatchObject({
      status: 400,
      json: { status: '1400' },
    });
  });

  it('is absent when push.apiKeys is empty', async () => {
    const routes = await serve({ ...h.config, push: { ...h.config.push, apiKeys: [] } });
    const response = await api(routes, 'poll', { transaction_id: 'x' });
    expect(response.status).toBe(404);
    expect((await post(routes, `/_sekisho/push/device/inbox`, {})).status).toBe(400);
  });
});

/** Resolves once the next inbox listing has read the store (the long poll is then armed). */
function nextInboxListing(): Promise<void> {
  const original = h.store.setMembers.bind(h.store);
  return new Promise((resolve) => {
    h.store.setMembers = async (key) => {
      const members = await original(key);
      if (key.startsWith('push:inbox:')) {
        h.store.setMembers = original;
        resolve();
      }
      return members;
    };
  });
}

async function pendingChallenge(routes: FastifyInstance, device: TestDevice): Promise<string | undefined> {
  const inbox = await inboxOver(routes, device);
  return (inbox.json.requests as PendingRequest[])[0]?.challenge;
}
