import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { FormClient } from '../support/browser-client.ts';
import { addUser, request, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import { carriers } from '../support/carriers.ts';

describe.each(carriers)('what the gate answers ($carrier)', ({ leanPath }) => {
  let backend: FakeBackend;
  let gw: TestGateway;
  let taro: FormClient;
  let hanako: FormClient;

  beforeAll(async () => {
    backend = await startBackend();
    gw = await startGateway({
      config: {
        proxy: { leanPath },
        backends: {
          bk01: { url: backend.url },
          bk02: { url: backend.url },
          bk03: { url: backend.url },
          pub: { url: backend.url },
        },
      },
    });
    await setRules(
      gw,
      '/bk01/=ALL;;',
      '/bk02/=@keiri;;',
      '/bk03/=ALL;taro;',
      '/nobk/=ALL;;',
      '/pub/=ALL;;BYPASS',
    );
    const taroPassword = await addUser(gw, 'taro', { groups: ['eigyo'] });
    const hanakoPassword = await addUser(gw, 'hanako', { groups: ['keiri'] });
    taro = new FormClient(gw.url);
    expect((await taro.login('taro', taroPassword, '/bk01/')).status).toBe(303);
    hanako = new FormClient(gw.url);
    expect((await hanako.login('hanako', hanakoPassword, '/bk01/')).status).toBe(303);
  });
  afterAll(async () => {
    await gw?.close();
    await backend?.close();
  });

  async function api(path: string, headers: Record<string, string> = {}, method = 'GET') {
    const response = await request(gw.url + path, { method, headers });
    const text = await response.body.text();
    return { status: response.statusCode, type: String(response.headers['content-type']), text };
  }

  describe('authentication needed', () => {
    it('answers a non-browser request with 401 JSON naming what to prove and where', async () => {
      const before = backend.seen.length;
      const variants: Record<string, string>[] = [{}, { accept: 'application/json' }, { accept: '*/*' }];
      for (const headers of variants) {
        const response = await api('/bk01/data?x=1', headers);
        expect(response.status).toBe(401);
        expect(response.type).toMatch(/^application\/json/);
        expect(JSON.parse(response.text)).toEqual({
          error: 'authentication_required',
          methods: ['password'],
          login: '/_sekisho/login?next=%2Fbk01%2Fdata%3Fx%3D1',
        });
      }
      expect(backend.seen.length).toBe(before);
    });

    it('answers a browser POST with 401 (no redirect that would lose the body)', async () => {
      const response = await api('/bk01/form', { accept: 'text/html', 'content-type': 'text/plain' }, 'POST');
      expect(response.status).toBe(401);
    });

    it('redirects a browser GET to the login page carrying the original path', async () => {
      const response = await new FormClient(gw.url).get('/bk01/a/b?c=d');
      expect(response.status).toBe(302);
      expect(response.headers.location).toBe('/_sekisho/login?next=%2Fbk01%2Fa%2Fb%3Fc%3Dd');
    });
  });

  describe('default deny and allow lists', () => {
    it('answers 403 for a path no rule covers, with or without a session', async () => {
      const before = backend.seen.length;
      const anonymous = await api('/norule/x', { accept: 'application/json' });
      expect(anonymous.status).toBe(403);
      expect(JSON.parse(anonymous.text)).toEqual({ error: 'forbidden' });
      const page = await taro.get('/norule/x');
      expect(page.status).toBe(403);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      // Even the root of the gateway is denied without a rule.
      expect((await taro.get('/')).status).toBe(403);
      expect(backend.seen.length).toBe(before);
    });

    it('answers 403 to a user outside the allow list and proxies for one inside it', async () => {
      const before = backend.seen.length;
      const refused = await taro.get('/bk02/books');
      expect(refused.status).toBe(403);
      expect(backend.seen.length).toBe(before);
      const allowed = await hanako.get('/bk02/books');
      expect(allowed.status).toBe(200);
      expect(JSON.parse(allowed.body).headers['x-remote-groups']).toBe('keiri');
    });

    it('lets deny beat allow', async () => {
      expect((await taro.get('/bk03/')).status).toBe(403);
      expect((await hanako.get('/bk03/')).status).toBe(200);
    });

    it('answers 404 with a page for a rule-covered path that has no backend', async () => {
      const page = await taro.get('/nobk/x');
      expect(page.status).toBe(404);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      const json = await api('/nobk/x', { accept: 'application/json', cookie: taro.cookieHeader() });
      expect(json.status).toBe(404);
      expect(JSON.parse(json.text)).toEqual({ error: 'not_found' });
    });
  });

  describe('security headers', () => {
    it("sets CSP, framing and sniffing protection on the gateway's own pages", async () => {
      const page = await new FormClient(gw.url).get('/_sekisho/login');
      expect(page.status).toBe(200);
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      const framing = `${csp} ${String(page.headers['x-frame-options'] ?? '')}`;
      expect(framing).toMatch(/frame-ancestors 'none'|DENY|SAMEORIGIN/i);
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      expect(page.headers['cache-control']).toContain('no-store');
    });

    it('sets them on error pages too', async () => {
      const page = await taro.get('/norule/x');
      expect(page.headers['content-security-policy']).toBeDefined();
      expect(page.headers['x-content-type-options']).toBe('nosniff');
    });

    it('adds none of them to proxied backend responses, authenticated or public', async () => {
      for (const response of [await taro.get('/bk01/page'), await new FormClient(gw.url).get('/pub/page')]) {
        expect(response.status).toBe(200);
        expect(JSON.parse(response.body).method).toBe('GET');
        for (const name of [
          'content-security-policy',
          'x-frame-options',
          'x-content-type-options',
          'strict-transport-security',
          'cross-origin-opener-policy',
        ]) {
          expect(response.headers[name], name).toBeUndefined();
        }
      }
    });
  });
});
