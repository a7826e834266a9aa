import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeBackend } from '../support/backend.ts';
import { startBackedGateway, type BackedGateway } from '../support/backed-gateway.ts';
import { rawRequest } from '../support/raw-http.ts';
import type { TestGateway } from '../support/gateway.ts';
import { carriers } from '../support/carriers.ts';

/**
 * The matcher under path attacks, end to end: every trick that could make `/open/` (public)
 * reach `/secret/` must be refused (400) or treated as `/secret/` (login needed), and the
 * backend must never see the request.
 */
describe.each(carriers)('path attacks through the real gateway ($carrier)', ({ leanPath }) => {
  let backend: FakeBackend;
  let gw: TestGateway;
  let backed: BackedGateway;

  beforeAll(async () => {
    backed = await startBackedGateway({
      config: { proxy: { leanPath } },
      backends: ['open', 'secret'],
      rules: ['/open/=ALL;;BYPASS', '/secret/=ALL;;'],
    });
    ({ backend, gw } = backed);
  });
  afterAll(async () => {
    await backed?.close();
  });

  it('serves the public path without identity headers (the control case)', async () => {
    const response = await rawRequest(gw.url, 'GET', '/open/x', [['Accept', 'application/json']]);
    expect(response.status).toBe(200);
    const seen = JSON.parse(response.body) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/x');
    expect(Object.keys(seen.headers).filter((name) => name.startsWith('x-remote'))).toEqual([]);
  });

  it('asks for a login on the protected path itself (the control case)', async () => {
    const before = backend.seen.length;
    const response = await rawRequest(gw.url, 'GET', '/secret/', [['Accept', 'text/html']]);
    expect(response.status).toBe(302);
    expect(response.headers.location?.[0]).toMatch(/^\/_sekisho\/login\?next=/);
    expect(backend.seen.length).toBe(before);
  });

  const attacks = [
    '/open/../secret/',
    '/open/%2e%2e/secret/',
    '/open/%2E%2E/secret/',
    '/open/.%2e/secret/',
    '/open/%2e%2e%2fsecret/',
    '/open/%2fsecret',
    '/open/%2Fsecret/',
    '/open/%5c..%5csecret/',
    '/open/\\..\\secret/',
    '/open/..\\secret/',
    '//secret/',
    '///secret/',
    '/./secret/',
    '/open/./../secret/',
    '/open/%00/../secret/',
    '/open/..;/secret/',
    '/open/..%3b/secret/',
    '/open;/../secret/',
    '/open/%252e%252e/secret/',
    '/open/%252e%252e%252fsecret/',
    '/OPEN/../SECRET/',
    '/Secret/',
    '/open/../../secret/',
    '/open/..%00/secret/',
    '/open/%c0%ae%c0%ae/secret/',
    '/open/\u00ae/../../secret/',
  ];

  for (const accept of ['text/html', 'application/json']) {
    describe(`Accept: ${accept}`, () => {
      it.each(attacks)('never lets %s reach a backend unauthenticated', async (path) => {
        const before = backend.seen.length;
        const response = await rawRequest(gw.url, 'GET', path, [['Accept', accept]]);
        if (response.status === 302) {
          expect(accept).toBe('text/html');
          expect(response.headers.location?.[0]).toMatch(/^\/_sekisho\/login\?next=%2Fsecret%2F/i);
        } else if (response.status === 401) {
          expect(accept).toBe('application/json');
          expect(JSON.parse(response.body)).toMatchObject({ error: 'authentication_required' });
        } else {
          expect(response.status).toBe(400);
        }
        // Nothing was proxied, to either backend, under any path.
        expect(backend.seen.slice(before)).toEqual([]);
      });
    });
  }

  it('refuses the attacks for other methods too (POST with a body)', async () => {
    const before = backend.seen.length;
    for (const path of ['/open/../secret/', '/open/%2e%2e/secret/', '/open/..;/secret/', '//secret/']) {
      const response = await rawRequest(gw.url, 'POST', path, [['Content-Type', 'text/plain']], 'payload');
      expect([400, 401]).toContain(response.status);
    }
    expect(backend.seen.slice(before)).toEqual([]);
  });

  it('does not let the query string or fragment-like text change the matched path', async () => {
    const before = backend.seen.length;
    for (const path of ['/secret/?/open/', '/secret/%3f/open/', '/secret/#/open/', '/secret/%23/../open/x']) {
      const response = await rawRequest(gw.url, 'GET', path, [['Accept', 'application/json']]);
      expect([400, 401]).toContain(response.status);
    }
    expect(backend.seen.slice(before)).toEqual([]);
  });

  it('forwards a benign path as the same normalised path the rules matched', async () => {
    const response = await rawRequest(gw.url, 'GET', '/open/a/./b/../c?q=%2e', [
      ['Accept', 'application/json'],
    ]);
    expect(response.status).toBe(200);
    expect((JSON.parse(response.body) as { url: string }).url).toBe('/a/c?q=%2e');
  });
});
