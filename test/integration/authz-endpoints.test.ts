import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/ports/clock.ts';
import { FormClient } from '../support/browser-client.ts';
import { addUser, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import { fetchJwks, verifyEs256 } from '../support/jwt-verify.ts';
import { rawRequest } from '../support/raw-http.ts';

/**
 * The authorization endpoints asked directly, as a trusted proxy would: how the original request
 * is read, host rules decided on the original host, each answer, and the decisions counted.
 */
describe('the forward-auth endpoints', () => {
  const clock = new FakeClock(Date.UTC(2026, 11, 3, 9, 0, 0));
  let gateway: TestGateway;
  let cookie: string;

  beforeAll(async () => {
    gateway = await startGateway({ clock, config: { trustProxy: ['loopback'] } });
    await setRules(gateway, '/app/=ALL;;', 'http://open.example/app/=ALL;;BYPASS');
    const password = await addUser(gateway, 'taro', { groups: ['keiri'] });
    const client = new FormClient(gateway.url);
    expect((await client.login('taro', password, '/')).status).toBe(303);
    cookie = client.cookieHeader();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const authRequest = (url: string, headers: [string, string][] = []) =>
    rawRequest(gateway.url, 'GET', '/_sekisho/authz/auth-request', [
      ['X-Original-URL', url],
      ['X-Original-Method', 'GET'],
      ...headers,
    ]);
  const forwardAuth = (method: string, host: string, uri: string, headers: [string, string][] = []) =>
    rawRequest(gateway.url, 'GET', '/_sekisho/authz/forward-auth', [
      ['X-Forwarded-Method', method],
      ['X-Forwarded-Proto', 'https'],
      ['X-Forwarded-Host', host],
      ['X-Forwarded-Uri', uri],
      ...headers,
    ]);

  it('answers 200 with the identity and an assertion addressed to the original host', async () => {
    const answer = await authRequest('https://app.example:8443/app/x?y=1', [['Cookie', cookie]]);
    expect(answer.status).toBe(200);
    expect(answer.headers['x-remote-user']).toEqual(['taro']);
    expect(answer.headers['x-remote-groups']).toEqual(['keiri']);
    expect(answer.headers['x-remote-auth-methods']).toEqual(['password']);
    expect(answer.headers['cache-control']).toEqual(['no-store']);
    const token = answer.headers['x-remote-assertion']?.[0] ?? '';
    const { claims } = verifyEs256(token, (await fetchJwks(gateway.url)).keys, clock.now());
    expect(claims).toMatchObject({ aud: 'app.example:8443', sub: 'taro', amr: ['pwd', 'password'] });
  });

  it('decides host rules on the original host, not the Host of the subrequest', async () => {
    const open = await forwardAuth('GET', 'open.example', '/app/x');
    expect(open.status).toBe(200);
    expect(open.headers['x-remote-user']).toBeUndefined();
    expect(open.headers['x-remote-assertion']).toBeUndefined();
    expect((await forwardAuth('GET', 'app.example', '/app/x')).status).toBe(401);
  });

  it('asks for a login with the original path: 401 with Location, 302 for a browser on forward-auth', async () => {
    const api = await authRequest('http://app.example/app/a%20b?q=1', [['Accept', 'text/html']]);
    expect(api.status).toBe(401);
    expect(api.headers.location).toEqual(['/_sekisho/login?next=%2Fapp%2Fa%2520b%3Fq%3D1']);
    expect(JSON.parse(api.body)).toMatchObject({ error: 'authentication_required', methods: ['password'] });
    const browser = await forwardAuth('GET', 'app.example', '/app/x', [['Accept', 'text/html']]);
    expect(browser.status).toBe(302);
    expect(browser.headers.location).toEqual(['/_sekisho/login?next=%2Fapp%2Fx']);
    const post = await forwardAuth('POST', 'app.example', '/app/x', [['Accept', 'text/html']]);
    expect(post.status).toBe(401);
  });

  it('refuses unsafe paths (400), paths no rule covers (403), and unusable headers (400)', async () => {
    expect((await authRequest('http://app.example/app/a%2Fb', [['Cookie', cookie]])).status).toBe(400);
    expect((await authRequest('http://app.example/app/../../etc', [['Cookie', cookie]])).status).toBe(400);
    expect((await authRequest('http://app.example/other/', [['Cookie', cookie]])).status).toBe(403);
    expect((await authRequest('/app/x')).status).toBe(400);
    expect((await authRequest('ftp://app.example/app/x')).status).toBe(400);
    expect((await authRequest('http://user@app.example/app/x')).status).toBe(400);
    expect((await forwardAuth('GET', 'a.example, b.example', '/app/x')).status).toBe(400);
    expect((await forwardAuth('GET', 'app.example', 'app/x')).status).toBe(400);
    const missing = await rawRequest(gateway.url, 'GET', '/_sekisho/authz/forward-auth', [
      ['X-Forwarded-Uri', '/app/x'],
    ]);
    expect(missing.status).toBe(400);
  });

  it('counts its decisions as proxied requests are counted', async () => {
    const metrics = await rawRequest(gateway.url, 'GET', '/_sekisho/metrics');
    expect(metrics.body).toMatch(/sekisho_access_decisions_total\{decision="allow",rule="\/app\/"\} [1-9]/);
    expect(metrics.body).toMatch(
      /sekisho_access_decisions_total\{decision="authenticate",rule="\/app\/"\} [1-9]/,
    );
    expect(metrics.body).toMatch(/sekisho_access_decisions_total\{decision="bad-path",rule=""\} [1-9]/);
  });
});
