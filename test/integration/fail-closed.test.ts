import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeBackend } from '../support/backend.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import type { TestGateway } from '../support/gateway.ts';
import { carriers } from '../support/carriers.ts';
import { startCutOffGateway, type CutOffGateway } from '../support/cut-off-store.ts';
import type { TcpForwarder } from '../support/tcp-forwarder.ts';
import { KeepAliveConnection } from '../support/raw-socket.ts';
import { waitFor } from '../support/wait-for.ts';
import { redisUrl } from '../support/env.ts';
import { RedisStore } from '../../src/adapters/redis/redis-store.ts';
import { systemClock } from '../../src/ports/clock.ts';
import { SESSION_ENDS_CHANNEL } from '../../src/core/session-cache.ts';

describe.each(carriers)('Redis unreachable: fail closed ($carrier)', ({ leanPath }) => {
  let backend: FakeBackend;
  let forwarder: TcpForwarder;
  let gw: TestGateway;
  let password: string;
  let client: FormClient;
  let cutOff: CutOffGateway;

  beforeAll(async () => {
    cutOff = await startCutOffGateway('redis', leanPath);
    ({ backend, forwarder, gw, password, client } = cutOff);
  });
  afterAll(async () => {
    await cutOff?.close();
  });

  const json = (path: string) => cutOff.json(path);

  it('serves normally while Redis answers (the control case)', async () => {
    expect((await client.get('/bk01/a')).status).toBe(200);
    expect((await json('/_sekisho/readyz')).status).toBe(200);
  });

  it('answers 503 and proxies nothing once Redis is cut off', async () => {
    const before = backend.seen.length;
    await forwarder.cut();
    await waitFor(async () => (await client.get('/bk01/a')).status === 503, 1000, 'a 503 for the app');
    const page = await client.get('/bk01/a');
    expect(page.status).toBe(503);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['retry-after']).toBeDefined();
    const api = await json('/bk01/api');
    expect(api).toEqual({ status: 503, body: { error: 'unavailable' } });
    // Public paths are not served either while the gateway cannot check anything.
    expect((await client.get('/open/x')).status).toBe(503);
    expect(backend.seen.slice(before)).toEqual([]);
  });

  it('reports the store in readyz (503) while healthz stays 200', async () => {
    const ready = await json('/_sekisho/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.failing).toEqual(['store']);
    const health = await json('/_sekisho/healthz');
    expect(health).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('issues no session while Redis is down', async () => {
    const fresh = new FormClient(gw.url);
    const page = await fresh.get('/_sekisho/login');
    expect(page.status).toBe(200);
    const login = await fresh.post('/_sekisho/login', {
      _csrf: csrfField(page.body),
      username: 'taro',
      password,
    });
    expect(login.status).toBe(503);
    expect(fresh.cookies.has('sekisho_sid')).toBe(false);
  });

  it('serves again, with the same session, once Redis is back', async () => {
    const before = backend.seen.length;
    await forwarder.restore();
    await waitFor(
      async () => (await client.get('/bk01/a')).status === 200,
      8000,
      'recovery after Redis returns',
      100,
    );
    expect((await json('/_sekisho/readyz')).status).toBe(200);
    expect(backend.seen.length).toBeGreaterThan(before);
  });
});

/**
 * A reset reaches the gateway as a read error, and Node reports the socket's close only after the
 * turn's setImmediate callbacks: a request read in the same turn must still not be served from
 * the session cache.
 */
describe.each(carriers)('Redis connection reset in the turn of a request ($carrier)', ({ leanPath }) => {
  let cutOff: CutOffGateway;

  beforeAll(async () => {
    cutOff = await startCutOffGateway('redis', leanPath);
  });
  afterAll(async () => {
    await cutOff?.close();
  });

  it('answers 503 to a request read in the same turn as the reset, and proxies nothing', async () => {
    const { backend, client, forwarder, gw } = cutOff;
    const connection = await KeepAliveConnection.open(gw.url);
    try {
      const request = `GET /bk01/a HTTP/1.1\r\nHost: gw\r\nCookie: ${client.cookieHeader()}\r\n\r\n`;
      // Twice within the cache's TTL: the second is answered from the cache.
      expect((await connection.ask(request)).status).toBe(200);
      expect((await connection.ask(request)).status).toBe(200);
      const before = backend.seen.length;
      // The request's bytes, then the reset: both wait in the gateway's next poll.
      const answer = connection.ask(request);
      await forwarder.reset();
      expect((await answer).status).toBe(503);
      expect(backend.seen.slice(before)).toEqual([]);
    } finally {
      connection.close();
    }
  });
});

/**
 * Sessions ended on another instance are announced on the store's subscriber connection. While
 * that connection is down the gateway hears no announcement, so its session cache must stop
 * answering at once — not ~600 ms later, when its heartbeat fails to come back.
 */
describe.each(carriers)('Redis subscriber connection lost ($carrier)', ({ leanPath }) => {
  let cutOff: CutOffGateway;
  let elsewhere: RedisStore;

  beforeAll(async () => {
    cutOff = await startCutOffGateway('redis', leanPath);
    // Another instance's view of the same store: it ends sessions without this gateway's cache.
    const { keyPrefix } = cutOff.gw.config.redis;
    elsewhere = new RedisStore({ url: redisUrl, keyPrefix, commandTimeoutMs: 2000 }, systemClock);
    await elsewhere.connect();
  });
  afterAll(async () => {
    await elsewhere?.close();
    await cutOff?.close();
  });

  it('does not serve from the cache a session that ended while the subscriber was down', async () => {
    const { backend, client, forwarder } = cutOff;
    // Read once: the session is now in the cache, fresh for the cache's TTL (1 s).
    expect((await client.get('/bk01/a')).status).toBe(200);
    const before = backend.seen.length;
    // Only the subscriber's connection: the main one stays up, so nothing else turns the cache off.
    expect(forwarder.drop(/subscribe/i)).toBe(1);
    // Ended on another instance, which announces it as every instance does: this gateway's
    // subscriber is down, so the announcement never reaches it.
    expect(await elsewhere.deleteUserSessions('taro')).toBe(1);
    await elsewhere.publish(SESSION_ENDS_CHANNEL, 'u:taro');
    const page = await client.get('/bk01/a');
    expect(page.status).toBe(302);
    expect(page.headers.location).toMatch(/^\/_sekisho\/login\?/);
    expect(backend.seen.slice(before)).toEqual([]);
  });
});
