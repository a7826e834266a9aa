import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeBackend } from '../support/backend.ts';
import { startBackedGateway, type BackedGateway } from '../support/backed-gateway.ts';
import { rawRequest } from '../support/raw-http.ts';
import { request, type TestGateway } from '../support/gateway.ts';
import { carriers } from '../support/carriers.ts';

/**
 * What the README's rule grammar promises about which rule decides, end to end through the real
 * proxy: a longer prefix replaces a public parent whatever the letter case or path parameters
 * of the request, and a host rule replaces the rule for every host for that Host only.
 */
describe.each(carriers)('which rule decides, through the real gateway ($carrier)', ({ leanPath }) => {
  let backend: FakeBackend;
  let gw: TestGateway;
  let backed: BackedGateway;

  beforeAll(async () => {
    backed = await startBackedGateway({
      config: { proxy: { leanPath } },
      backends: ['open'],
      rules: ['/open/=ALL;;BYPASS', '/open/admin/=@admins;;', 'http://intra.example/open/=ALL;;'],
    });
    ({ backend, gw } = backed);
  });
  afterAll(async () => {
    await backed?.close();
  });

  async function status(path: string, host?: string): Promise<number> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (host) headers.host = host;
    const response = await request(`${gw.url}${path}`, { headers });
    await response.body.dump();
    return response.statusCode;
  }

  it('serves the public parent to anyone (the control case)', async () => {
    expect(await status('/open/page')).toBe(200);
  });

  it.each(['/open/admin/x', '/OPEN/Admin/x', '/open/ADMIN/x', '/Open/admin/'])(
    'lets the longer prefix decide %s, whatever the letter case: no backend without a login',
    async (path) => {
      const before = backend.seen.length;
      expect(await status(path)).toBe(401);
      expect(backend.seen.slice(before)).toEqual([]);
    },
  );

  it.each(['/open/admin;x=1/x', '/open;jsessionid=1/admin/x', '/open/admin;/x'])(
    'does not let path parameters in %s hide the longer prefix',
    async (path) => {
      const before = backend.seen.length;
      const response = await rawRequest(gw.url, 'GET', path, [['Accept', 'application/json']]);
      expect([400, 401]).toContain(response.status);
      expect(backend.seen.slice(before)).toEqual([]);
    },
  );

  it('applies a host rule to that Host only', async () => {
    const before = backend.seen.length;
    expect(await status('/open/page', 'intra.example')).toBe(401);
    expect(await status('/open/page', 'INTRA.example')).toBe(401);
    expect(backend.seen.slice(before)).toEqual([]);
    expect(await status('/open/page', 'other.example')).toBe(200);
  });
});
