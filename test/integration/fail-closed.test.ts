import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeBackend } from '../support/backend.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import type { TestGateway } from '../support/gateway.ts';
import { carriers } from '../support/carriers.ts';
import { startCutOffGateway, type CutOffGateway } from '../support/cut-off-store.ts';
import type { TcpForwarder } from '../support/tcp-forwarder.ts';
import { waitFor } from '../support/wait-for.ts';

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
