import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { request, setRules, startGateway, type TestGateway } from '../support/gateway.ts';

/**
 * A request the lean path cannot serve (no session, or not allowed) goes on to Fastify's gate,
 * which answers it with the session the lean path already read: one store read, not two.
 */
describe('lean path handing a refusal to the gate', () => {
  let backend: FakeBackend;
  let gw: TestGateway;
  let reads = 0;

  beforeAll(async () => {
    backend = await startBackend();
    gw = await startGateway({
      config: { backends: { bk01: { url: backend.url } } },
    });
    await setRules(gw, '/bk01/=ALL;;');
    const store = gw.runtime.gateway.store;
    const touchSession = store.touchSession.bind(store);
    store.touchSession = (...args) => {
      reads++;
      return touchSession(...args);
    };
  });
  afterAll(async () => {
    await gw?.close();
    await backend?.close();
  });

  it('reads an unknown session cookie once, and asks for a login', async () => {
    const before = reads;
    const cookie = `sekisho_sid=${randomBytes(32).toString('base64url')}`;
    const response = await request(`${gw.url}/bk01/x`, { headers: { accept: 'application/json', cookie } });
    expect(response.statusCode).toBe(401);
    await response.body.dump();
    expect(reads - before).toBe(1);
    expect(backend.seen).toHaveLength(0);
  });
});
