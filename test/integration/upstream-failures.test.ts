import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { FormClient } from '../support/browser-client.ts';
import { addUser, request, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import { closedPort } from '../support/tcp-forwarder.ts';

describe('upstream failures', () => {
  let backend: FakeBackend;
  let gw: TestGateway;
  let client: FormClient;

  beforeAll(async () => {
    backend = await startBackend();
    const dead = `http://127.0.0.1:${await closedPort()}`;
    gw = await startGateway({
      config: {
        backends: { dead: { url: dead }, bk01: { url: backend.url, timeoutMs: 500 } },
      },
    });
    await setRules(gw, '/dead/=ALL;;', '/bk01/=ALL;;');
    const password = await addUser(gw, 'taro');
    client = new FormClient(gw.url);
    expect((await client.login('taro', password, '/bk01/')).status).toBe(303);
  });
  afterAll(async () => {
    await gw?.close();
    await backend?.close();
  });

  async function asApi(path: string) {
    const response = await request(gw.url + path, {
      headers: { accept: 'application/json', cookie: client.cookieHeader() },
    });
    return {
      status: response.statusCode,
      type: response.headers['content-type'],
      body: await response.body.text(),
    };
  }

  it('answers 502 with a page when the backend refuses connections (browser)', async () => {
    const response = await client.get('/dead/page');
    expect(response.status).toBe(502);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toMatch(/<html/i);
    expect(response.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1:\d+|at .*\.js/);
  });

  it('answers 502 with JSON when the backend refuses connections (non-browser)', async () => {
    const response = await asApi('/dead/api');
    expect(response.status).toBe(502);
    expect(response.type).toMatch(/^application\/json/);
    expect(JSON.parse(response.body)).toEqual({ error: 'bad_gateway' });
  });

  it('answers 504 within a couple of seconds when the backend never answers', async () => {
    const started = Date.now();
    const page = await client.get('/bk01/slow');
    const elapsed = Date.now() - started;
    expect(page.status).toBe(504);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(2500);
    expect(backend.seen.at(-1)?.url).toBe('/slow');

    const api = await asApi('/bk01/slow');
    expect(api.status).toBe(504);
    expect(JSON.parse(api.body)).toEqual({ error: 'gateway_timeout' });
  });

  it('keeps serving the healthy backend after the failures', async () => {
    const response = await client.get('/bk01/fine');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).url).toBe('/fine');
  });

  it('maps backend redirects and cookie paths back under /<backend>/', async () => {
    const redirect = await client.get('/bk01/redirect');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe('/bk01/elsewhere');
    const cookie = await client.get('/bk01/cookie');
    expect(cookie.status).toBe(200);
    const line = String(cookie.headers['set-cookie']);
    expect(line).toMatch(/^app=1;/);
    expect(line).toMatch(/Path=\/bk01\//);
    expect(line).not.toMatch(/Domain=/i);
  });
});
