import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeBackend } from '../support/backend.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import type { TestGateway } from '../support/gateway.ts';
import { carriers } from '../support/carriers.ts';
import { startCutOffGateway, type CutOffGateway } from '../support/cut-off-store.ts';
import type { TcpForwarder } from '../support/tcp-forwarder.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * gateway-runtime.ts probes Postgres every 2 s (each probe times out after 1 s): a cut is
 * noticed within that, without any request asking for it.
 */
const probeIntervalMs = 2000;
const noticeWithinMs = probeIntervalMs + 1000 + 1000;

describe.each(carriers)('Postgres unreachable: fail closed ($carrier)', ({ leanPath }) => {
  let backend: FakeBackend;
  let forwarder: TcpForwarder;
  let gw: TestGateway;
  let password: string;
  let client: FormClient;
  let cutOff: CutOffGateway;

  beforeAll(async () => {
    cutOff = await startCutOffGateway('postgres', leanPath);
    ({ backend, forwarder, gw, password, client } = cutOff);
  });
  afterAll(async () => {
    await cutOff?.close();
  });

  const json = (path: string) => cutOff.json(path);

  it('serves normally while Postgres answers (the control case)', async () => {
    expect((await client.get('/bk01/a')).status).toBe(200);
    expect((await json('/_sekisho/readyz')).body).toEqual({ status: 'ready', failing: [] });
  });

  it('stops proxying, on its own, once Postgres is cut off: 503 for the session, BYPASS and API', async () => {
    await forwarder.cut();
    // No readyz call here: the gateway's own probe must notice.
    await waitFor(
      async () => (await client.get('/bk01/a')).status === 503,
      noticeWithinMs,
      'a 503 for a live session',
    );
    const before = backend.seen.length;
    const page = await client.get('/bk01/a');
    expect(page.status).toBe(503);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['retry-after']).toBeDefined();
    expect(await json('/bk01/api')).toEqual({ status: 503, body: { error: 'unavailable' } });
    expect((await client.get('/open/x')).status).toBe(503);
    expect((await new FormClient(gw.url).get('/bk01/a')).status).toBe(503);
    expect(backend.seen.slice(before)).toEqual([]);
  });

  it('reports postgres (and only postgres) in readyz while healthz stays 200', async () => {
    expect(await json('/_sekisho/readyz')).toEqual({
      status: 503,
      body: { status: 'unavailable', failing: ['postgres'] },
    });
    expect(await json('/_sekisho/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('refuses a login calmly: a 503 page, no session, no database detail', async () => {
    const fresh = new FormClient(gw.url);
    const page = await fresh.get('/_sekisho/login', { 'accept-language': 'en' });
    expect(page.status).toBe(200);
    const login = await fresh.post(
      '/_sekisho/login',
      { _csrf: csrfField(page.body), username: 'taro', password },
      { 'accept-language': 'en' },
    );
    expect(login.status).toBe(503);
    expect(login.headers['content-type']).toMatch(/text\/html/);
    expect(login.body).toContain('The authentication service is not available right now.');
    expect(login.body).not.toMatch(/ECONNREFUSED|postgres|SEKISHO_ERR|at \S+\.ts:\d+/i);
    expect(fresh.cookies.has('sekisho_sid')).toBe(false);
  });

  it('serves again, with the same session, once Postgres is back, and applies changes again', async () => {
    const before = backend.seen.length;
    await forwarder.restore();
    await waitFor(
      async () => (await client.get('/bk01/a')).status === 200,
      noticeWithinMs,
      'recovery after Postgres returns',
      100,
    );
    expect((await json('/_sekisho/readyz')).status).toBe(200);
    expect(backend.seen.length).toBeGreaterThan(before);
    const again = new FormClient(gw.url);
    expect((await again.login('taro', password, '/bk01/')).status).toBe(303);
    // The change feed recovered too: a rule change reaches this gateway without a manual poll.
    await gw.admin.setRule('/bk01/=@keiri;;', 'test', { unknownPrincipals: 'allow' });
    await waitFor(async () => (await client.get('/bk01/a')).status === 403, 2000, 'the new rule applied');
  });
});
