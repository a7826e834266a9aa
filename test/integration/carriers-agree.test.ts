import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type FakeBackend, type SeenRequest } from '../support/backend.ts';
import { FormClient } from '../support/browser-client.ts';
import { carriers } from '../support/carriers.ts';
import { addUser, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import { rawRequest } from '../support/raw-http.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { fetchJwks, verifyEs256, type PublishedKey } from '../support/jwt-verify.ts';

/**
 * The two proxy carriers must send a backend the same request: the same request line, the same
 * headers in the same order, the same body. One gateway per carrier, one backend, the same
 * requests through each (logged in, and on a BYPASS path), compared byte for byte. The signed
 * assertion is compared by what is signed (header and claims, on one clock); its signature,
 * randomised by ECDSA, is verified instead.
 */
describe('the lean and the Fastify carrier send the backend the same bytes', () => {
  let backend: FakeBackend;
  const gateways: TestGateway[] = [];
  const cookies: string[] = [];
  const clock = new FakeClock();
  let keys: PublishedKey[] = [];

  beforeAll(async () => {
    backend = await startBackend();
    for (const { leanPath } of carriers) {
      const gw = await startGateway({
        config: { proxy: { leanPath }, backends: { bk01: { url: backend.url } } },
        sharedWith: gateways[0],
        clock,
      });
      gateways.push(gw);
    }
    const [first] = gateways;
    if (!first) throw new Error('no gateway');
    await setRules(first, '/bk01/=ALL;;', '/bk01/open/=ALL;;BYPASS');
    const password = await addUser(first, 'taro', { groups: ['keiri'] });
    for (const gw of gateways) {
      await gw.runtime.watcher.poll();
      const client = new FormClient(gw.url);
      expect((await client.login('taro', password, '/bk01/')).status).toBe(303);
      cookies.push(client.cookieHeader());
    }
    keys = (await fetchJwks(first.url)).keys;
  });
  afterAll(async () => {
    for (const gw of [...gateways].reverse()) await gw.close();
    await backend?.close();
  });

  /** What the backend saw of one request sent through each carrier in turn. */
  async function throughBoth(
    method: string,
    target: string,
    headers: [string, string][] = [],
    body = '',
  ): Promise<SeenRequest[]> {
    const seen: SeenRequest[] = [];
    for (const [i, gw] of gateways.entries()) {
      const before = backend.seen.length;
      const response = await rawRequest(
        gw.url,
        method,
        target,
        [['Host', 'gw.example'], ['Cookie', cookies[i] ?? ''], ['Accept', 'application/json'], ...headers],
        body,
      );
      expect(response.status, `${target} through ${carriers[i]?.carrier}`).toBe(200);
      const request = backend.seen[before];
      if (!request) throw new Error(`${target} did not reach the backend`);
      seen.push({ ...request, rawHeaders: signedParts(request.rawHeaders) });
    }
    return seen;
  }

  /** Each assertion verified (node:crypto, the JWKS) and replaced by what it signs. */
  function signedParts(raw: string[]): string[] {
    return raw.map((value, i) => {
      if (i % 2 === 0 || raw[i - 1]?.toLowerCase() !== 'x-remote-assertion') return value;
      verifyEs256(value, keys, clock.now());
      return value.split('.').slice(0, 2).join('.');
    });
  }

  const targets = [
    `/bk01/${encodeURIComponent('経理')}/`,
    '/bk01/%e7%b5%8c%e7%90%86/report?month=%E5%9B%9B%E6%9C%88',
    '/bk01/search?q=a+b&flag&empty=&x=1&x=2',
    '/bk01/a%20b/%25/c?p=%41%7e%2F',
    '/bk01/q?quote="x"&apos=\'y\'&lt=<>',
    '/bk01/BK01/Case?Mixed=Case',
    '/bk01',
    '/bk01?root',
    '/bk01/open/public?x=1',
    '/BK01/x',
    '/bk01/./a/../b//c',
    '/bk01/with;param=1/x',
  ];

  it.each(targets)('GET %s', async (target) => {
    const [lean, fastify] = await throughBoth('GET', target);
    expect(fastify?.url).toBe(lean?.url);
    expect(fastify?.rawHeaders).toEqual(lean?.rawHeaders);
  });

  it.each([
    ['a form', 'application/x-www-form-urlencoded', 'a=1&b=%E7%B5%8C&c=+'],
    // raw-http writes Latin-1: non-ASCII goes in as JSON escapes.
    ['JSON', 'application/json', '{"name":"\\u5c71\\u7530","n":1}'],
  ])('POST with %s', async (_what, type, body) => {
    const [lean, fastify] = await throughBoth('POST', '/bk01/submit?x=1', [['Content-Type', type]], body);
    expect(fastify?.url).toBe(lean?.url);
    expect(fastify?.rawHeaders).toEqual(lean?.rawHeaders);
    expect(fastify?.body).toBe(body);
    expect(lean?.body).toBe(body);
  });

  it('repeated and mixed-case request headers arrive alike', async () => {
    const [lean, fastify] = await throughBoth('GET', '/bk01/h', [
      ['X-Custom', 'one'],
      ['x-custom', 'two'],
      ['Accept-Language', 'ja,en;q=0.8'],
      ['X-Remote-User', 'mallory'],
      ['X-Forwarded-For', '203.0.113.9'],
    ]);
    expect(fastify?.rawHeaders).toEqual(lean?.rawHeaders);
    expect(lean?.headers['x-remote-user']).toBe('taro');
    expect(lean?.rawHeaders.map((h) => h.toLowerCase())).toContain('x-remote-assertion');
  });
});
