import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeBackend, SeenRequest } from '../support/backend.ts';
import { startBackedGateway, type BackedGateway } from '../support/backed-gateway.ts';
import { FormClient } from '../support/browser-client.ts';
import { addUser, type TestGateway } from '../support/gateway.ts';
import { rawRequest } from '../support/raw-http.ts';

/** Renamed identity headers, as a site whose apps expect their own names would configure them. */
const names = { user: 'X-Auth-User', groups: 'X-Auth-Groups', methods: 'X-Auth-Via' };

/** The header lines a backend received whose names fold (case, `_`) to one of `wanted`. */
function linesNamed(seen: SeenRequest, wanted: readonly string[]): [string, string][] {
  const folded = new Set(wanted.map((n) => n.toLowerCase()));
  const lines: [string, string][] = [];
  for (let i = 0; i < seen.rawHeaders.length; i += 2) {
    const name = (seen.rawHeaders[i] ?? '').toLowerCase().replaceAll('_', '-');
    if (folded.has(name)) lines.push([name, seen.rawHeaders[i + 1] ?? '']);
  }
  return lines;
}

// Both proxy paths: the lean node:http → undici path (the default) and the Fastify routes.
describe.each([true, false])('homePath and renamed identityHeaders (proxy.leanPath: %s)', (leanPath) => {
  let backend: FakeBackend;
  let gw: TestGateway;
  let backed: BackedGateway;
  let client: FormClient;

  beforeAll(async () => {
    backed = await startBackedGateway({
      config: { proxy: { leanPath }, homePath: '/portal/', identityHeaders: names },
      backends: ['portal', 'open'],
      rules: ['/portal/=ALL;;', '/open/=ALL;;BYPASS'],
    });
    ({ backend, gw } = backed);
    const password = await addUser(gw, 'taro', { groups: ['eigyo', 'keiri'] });
    client = new FormClient(gw.url);
    expect((await client.login('taro', password, '/portal/')).status).toBe(303);
  });
  afterAll(async () => {
    await backed?.close();
  });

  it('sends a browser at / to homePath, and from there to the proxied portal', async () => {
    const home = await client.get('/');
    expect(home.status).toBe(302);
    expect(home.headers.location).toBe('/portal/');
    const before = backend.seen.length;
    const portal = await client.get(String(home.headers.location));
    expect(portal.status).toBe(200);
    expect(JSON.parse(portal.body)).toMatchObject({ url: '/', headers: { 'x-auth-user': 'taro' } });
    expect(backend.seen.length).toBe(before + 1);
  });

  it('sends a browser without a session at / to homePath too, and the portal asks it to log in', async () => {
    const stranger = new FormClient(gw.url);
    const home = await stranger.get('/');
    expect(home.status).toBe(302);
    expect(home.headers.location).toBe('/portal/');
    const portal = await stranger.get('/portal/');
    expect(portal.status).toBe(302);
    expect(portal.headers.location).toBe('/_sekisho/login?next=%2Fportal%2F');
    // Only the browser's GET of `/` is redirected: anything else there is still default deny.
    expect((await stranger.post('/', { a: '1' })).status).toBe(403);
  });

  it('passes the identity under the configured names, and not under the default ones', async () => {
    const response = await client.get('/portal/page?q=1');
    expect(response.status).toBe(200);
    const seen = JSON.parse(response.body) as SeenRequest;
    expect(seen.url).toBe('/page?q=1');
    expect(linesNamed(seen, Object.values(names))).toEqual([
      ['x-auth-user', 'taro'],
      ['x-auth-groups', 'eigyo,keiri'],
      ['x-auth-via', 'password'],
    ]);
    // The gateway itself sets none of the default names any more.
    expect(linesNamed(seen, ['X-Remote-User', 'X-Remote-Groups', 'X-Remote-Auth-Methods'])).toEqual([]);
  });

  it('removes inbound copies of the renamed headers in any spelling, on protected and BYPASS paths', async () => {
    const spoofed: [string, string][] = [
      ['X-Auth-User', 'admin'],
      ['x_auth_user', 'admin'],
      ['X-AUTH-GROUPS', 'admins'],
      ['x-auth_via', 'password,SMSOTP'],
    ];
    const guarded = await rawRequest(gw.url, 'GET', '/portal/x', [
      ['Cookie', client.cookieHeader()],
      ...spoofed,
    ]);
    expect(guarded.status).toBe(200);
    expect(linesNamed(JSON.parse(guarded.body) as SeenRequest, Object.values(names))).toEqual([
      ['x-auth-user', 'taro'],
      ['x-auth-groups', 'eigyo,keiri'],
      ['x-auth-via', 'password'],
    ]);
    const open = await rawRequest(gw.url, 'GET', '/open/x', spoofed);
    expect(open.status).toBe(200);
    expect(linesNamed(JSON.parse(open.body) as SeenRequest, Object.values(names))).toEqual([]);
  });
  it('also removes inbound copies of the default names, which a backend may still read after the rename', async () => {
    const spoofed: [string, string][] = [
      ['X-Remote-User', 'admin'],
      ['x_remote_groups', 'admins'],
      ['X-Remote-Auth-Methods', 'password,SMSOTP'],
    ];
    const defaults = ['X-Remote-User', 'X-Remote-Groups', 'X-Remote-Auth-Methods'];
    const guarded = await rawRequest(gw.url, 'GET', '/portal/x', [
      ['Cookie', client.cookieHeader()],
      ...spoofed,
    ]);
    expect(guarded.status).toBe(200);
    expect(linesNamed(JSON.parse(guarded.body) as SeenRequest, defaults)).toEqual([]);
    const open = await rawRequest(gw.url, 'GET', '/open/x', spoofed);
    expect(open.status).toBe(200);
    expect(linesNamed(JSON.parse(open.body) as SeenRequest, defaults)).toEqual([]);
  });
});
