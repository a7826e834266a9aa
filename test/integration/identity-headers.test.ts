import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type FakeBackend, type SeenRequest } from '../support/backend.ts';
import { startBackedGateway, type BackedGateway } from '../support/backed-gateway.ts';
import { FormClient } from '../support/browser-client.ts';
import { rawRequest, type RawResponse } from '../support/raw-http.ts';
import { addUser, setRules, startGateway, type TestGateway } from '../support/gateway.ts';

/** Header names as a backend framework may read them: case, `_`/`-` and whitespace folded. */
const identityNames = new Set(['x-remote-user', 'x-remote-groups', 'x-remote-auth-methods']);
const foldName = (name: string) => name.trim().toLowerCase().replaceAll('_', '-');

/** Every spelling of the three identity headers an attacker might send. */
function spoofedIdentity(): [string, string][] {
  const headers: [string, string][] = [];
  for (const base of ['Remote-User', 'Remote-Groups', 'Remote-Auth-Methods']) {
    const dashed = `X-${base}`;
    const variants = [
      dashed,
      dashed.toLowerCase(),
      dashed.toUpperCase(),
      dashed.replaceAll('-', '_'),
      `x-${base.toLowerCase().replaceAll('-', '_')}`,
      `x-${base.toLowerCase().replace('-', '_')}`,
      `X_${base}`,
    ];
    for (const name of variants) headers.push([name, 'evil']);
    headers.push([dashed, 'admin'], [dashed, 'root']);
  }
  return headers;
}

/** The identity-like header lines a backend actually received. */
function identityLines(seen: SeenRequest): [string, string][] {
  const lines: [string, string][] = [];
  for (let i = 0; i < seen.rawHeaders.length; i += 2) {
    const name = seen.rawHeaders[i] ?? '';
    if (identityNames.has(foldName(name))) lines.push([foldName(name), seen.rawHeaders[i + 1] ?? '']);
  }
  return lines;
}

function echoed(response: RawResponse): SeenRequest {
  expect(response.status).toBe(200);
  return JSON.parse(response.body) as SeenRequest;
}

// Both proxy paths: the lean node:http → undici path (the default) and the Fastify routes.
describe.each([true, false])('identity and forwarding headers (proxy.leanPath: %s)', (leanPath) => {
  let backend: FakeBackend;
  let gw: TestGateway;
  let backed: BackedGateway;
  let client: FormClient;

  beforeAll(async () => {
    backed = await startBackedGateway({
      config: { proxy: { leanPath } },
      backends: ['open', 'bk01'],
      rules: ['/open/=ALL;;BYPASS', '/bk01/=ALL;;'],
    });
    ({ backend, gw } = backed);
    const password = await addUser(gw, 'taro', { groups: ['eigyo', 'keiri'] });
    client = new FormClient(gw.url);
    expect((await client.login('taro', password, '/bk01/')).status).toBe(303);
  });
  afterAll(async () => {
    await backed?.close();
  });

  const cookie = () => client.cookieHeader();

  it('removes every spelling and copy of the identity headers on a BYPASS path', async () => {
    const seen = echoed(await rawRequest(gw.url, 'GET', '/open/x', spoofedIdentity()));
    expect(identityLines(seen)).toEqual([]);
    expect(JSON.stringify(seen.headers)).not.toContain('evil');
  });

  it('sends no identity on a BYPASS path even when the client has a session', async () => {
    const seen = echoed(
      await rawRequest(gw.url, 'GET', '/open/x', [['Cookie', cookie()], ...spoofedIdentity()]),
    );
    expect(identityLines(seen)).toEqual([]);
    expect(JSON.stringify(seen.headers)).not.toMatch(/evil|taro/);
  });

  it('sends exactly one copy of each identity header, the true one, on an authenticated path', async () => {
    const seen = echoed(
      await rawRequest(gw.url, 'GET', '/bk01/page', [['Cookie', cookie()], ...spoofedIdentity()]),
    );
    expect(identityLines(seen).sort()).toEqual([
      ['x-remote-auth-methods', 'password'],
      ['x-remote-groups', 'eigyo,keiri'],
      ['x-remote-user', 'taro'],
    ]);
    expect(JSON.stringify(seen.rawHeaders)).not.toMatch(/evil|admin|root/);
  });

  it('strips spoofed identity sent before the session cookie and in several header lines', async () => {
    const seen = echoed(
      await rawRequest(gw.url, 'GET', '/bk01/page', [
        ['X-Remote-User', 'evil'],
        ['Cookie', cookie()],
        ['x-remote-user', 'evil2'],
        ['X-Remote-Groups', 'admins'],
        ['X-Remote-Groups', 'root'],
      ]),
    );
    expect(seen.headers['x-remote-user']).toBe('taro');
    expect(seen.headers['x-remote-groups']).toBe('eigyo,keiri');
    expect(identityLines(seen).filter(([name]) => name === 'x-remote-user')).toEqual([
      ['x-remote-user', 'taro'],
    ]);
  });

  it('never lets a header name with whitespace through as identity', async () => {
    for (const path of ['/open/x', '/bk01/page']) {
      const before = backend.seen.length;
      const response = await rawRequest(gw.url, 'GET', path, [
        ['Cookie', cookie()],
        'X-Remote-User : evil',
        'X-Remote-User\t: evil',
        ' X-Remote-Groups: evil',
      ]);
      if (response.status === 200) {
        const seen = JSON.parse(response.body) as SeenRequest;
        expect(JSON.stringify(seen.rawHeaders)).not.toContain('evil');
      } else {
        // Refused by the HTTP parser before any routing.
        expect(response.status).toBe(400);
      }
      for (const seen of backend.seen.slice(before))
        expect(JSON.stringify(seen.rawHeaders)).not.toContain('evil');
    }
  });

  it('does not let a Connection header remove the identity headers the gateway adds', async () => {
    const seen = echoed(
      await rawRequest(gw.url, 'GET', '/bk01/page', [
        ['Cookie', cookie()],
        ['Connection', 'X-Remote-User, X-Remote-Groups, close'],
      ]),
    );
    expect(seen.headers['x-remote-user']).toBe('taro');
    expect(seen.headers['x-remote-groups']).toBe('eigyo,keiri');
  });

  it("never forwards the gateway's session, CSRF, language and way cookies, but forwards the app's own", async () => {
    expect([...client.cookies.keys()].sort()).toEqual(['sekisho_csrf', 'sekisho_sid']);
    for (const path of ['/open/x', '/bk01/page']) {
      const seen = echoed(
        await rawRequest(gw.url, 'GET', path, [
          [
            'Cookie',
            `app=1; ${cookie()}; sekisho_lang=en; sekisho_way=push; __Secure-sekisho_way=sms; theme=dark`,
          ],
          ['Cookie', `sekisho_sid=${client.cookies.get('sekisho_sid') ?? ''}; other=2`],
        ]),
      );
      const forwarded = seen.headers.cookie ?? '';
      expect(forwarded).not.toContain('sekisho_sid');
      expect(forwarded).not.toContain('sekisho_lang');
      expect(forwarded).not.toContain('sekisho_csrf');
      expect(forwarded).not.toContain('sekisho_way');
      expect(forwarded).not.toContain(client.cookies.get('sekisho_sid'));
      expect(forwarded.split(/;\s*/).sort()).toEqual(['app=1', 'other=2', 'theme=dark']);
    }
  });

  it("lets no backend plant the gateway's cookies or widen a service worker over the gateway's pages", async () => {
    for (const path of ['/open/planted', '/bk01/planted']) {
      const answer = await rawRequest(gw.url, 'GET', path, [['Cookie', cookie()]]);
      expect(answer.status).toBe(200);
      const setCookies = answer.headers['set-cookie'] ?? [];
      expect(setCookies.join('\n')).not.toMatch(/sekisho_sid|sekisho_lang/);
      expect(setCookies.some((c) => c.startsWith('app=1;'))).toBe(true);
      expect(answer.headers['service-worker-allowed']).toBeUndefined();
    }
  });

  it('reads the session cookie one way on every path: a quoted value is no session', async () => {
    const quoted = `sekisho_sid="${client.cookies.get('sekisho_sid') ?? ''}"`;
    const answer = await rawRequest(gw.url, 'GET', '/bk01/page', [
      ['Cookie', quoted],
      ['Accept', 'application/json'],
    ]);
    expect(answer.status).toBe(401);
  });

  it('sends no Cookie header at all when only gateway cookies were sent', async () => {
    const seen = echoed(await rawRequest(gw.url, 'GET', '/bk01/page', [['Cookie', cookie()]]));
    expect(seen.headers.cookie).toBeUndefined();
  });

  it('sets X-Forwarded-For to the client address and ignores spoofed forwarding headers', async () => {
    const seen = echoed(
      await rawRequest(gw.url, 'GET', '/bk01/page', [
        ['Cookie', cookie()],
        ['X-Forwarded-For', '6.6.6.6'],
        ['X-Forwarded-For', '7.7.7.7'],
        ['X-Forwarded-Proto', 'https'],
        ['X-Forwarded-Host', 'evil.example'],
        ['Forwarded', 'for=6.6.6.6;proto=https;host=evil.example'],
      ]),
    );
    const host = new URL(gw.url).host;
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-host']).toBe(host);
    expect(seen.headers.forwarded).toBeUndefined();
    expect(JSON.stringify(seen.rawHeaders)).not.toMatch(/6\.6\.6\.6|7\.7\.7\.7|evil\.example/);
  });

  it('sets the forwarding headers on BYPASS paths too', async () => {
    const seen = echoed(await rawRequest(gw.url, 'GET', '/open/x', [['X-Forwarded-For', '6.6.6.6']]));
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-host']).toBe(new URL(gw.url).host);
  });

  it("honours the client's Connection: close and does not relay the backend's hop-by-hop headers", async () => {
    // rawRequest sends Connection: close and reads until the gateway closes the socket.
    const response = await rawRequest(gw.url, 'GET', '/open/x');
    expect(response.status).toBe(200);
    expect(response.headers.connection).toEqual(['close']);
    expect(response.headers['keep-alive']).toBeUndefined();
  });
});

describe('forwarding headers behind a load balancer (trustProxy as a list)', () => {
  let backend: FakeBackend;
  const gateways: TestGateway[] = [];
  afterAll(async () => {
    for (const gw of gateways) await gw.close();
    await backend?.close();
  });

  /** A gateway trusting `trusted`, a logged-in client, and what the backend saw on both proxy paths. */
  async function forwarded(trusted: string[]) {
    backend ??= await startBackend();
    const gw = await startGateway({
      config: { trustProxy: trusted, backends: { open: { url: backend.url }, bk01: { url: backend.url } } },
    });
    gateways.push(gw);
    await setRules(gw, '/open/=ALL;;BYPASS', '/bk01/=ALL;;');
    const password = await addUser(gw, 'taro');
    const client = new FormClient(gw.url);
    await client.login('taro', password, '/bk01/');
    const sent: [string, string][] = [
      ['Cookie', client.cookieHeader()],
      ['X-Forwarded-For', '6.6.6.6, 203.0.113.7'],
      ['X-Forwarded-Proto', 'https'],
      ['X-Forwarded-Host', 'evil.example'],
      ['X-Real-IP', '6.6.6.6'],
      ['Forwarded', 'for=6.6.6.6'],
      ['X-Forwarded-Prefix', '/evil'],
      ['X-Forwarded-Port', '8443'],
      ['x_forwarded_ssl', 'on'],
      ['True-Client-IP', '6.6.6.6'],
      ['CF-Connecting-IP', '6.6.6.6'],
      ['X-Client-IP', '6.6.6.6'],
      ['X-Original-URL', '/admin/delete'],
      ['X-Rewrite-URL', '/admin/delete'],
    ];
    return Promise.all(
      ['/open/x', '/bk01/x'].map(async (path) => echoed(await rawRequest(gw.url, 'GET', path, sent))),
    );
  }

  it('keeps a trusted proxy’s X-Forwarded-For and appends that proxy, once', async () => {
    for (const seen of await forwarded(['127.0.0.1'])) {
      expect(seen.headers['x-forwarded-for']).toBe('6.6.6.6, 203.0.113.7, 127.0.0.1');
      // The gateway's own forwarding headers take the place of the proxy's: one line each.
      for (const name of ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'])
        expect(
          seen.rawHeaders.filter((line, i) => i % 2 === 0 && line.toLowerCase() === name),
          name,
        ).toHaveLength(1);
      expect(seen.headers['x-forwarded-host']).not.toBe('evil.example');
      // What a trusted proxy says of the client and the original request reaches the backend…
      expect(seen.headers['x-forwarded-prefix']).toBe('/evil');
      expect(seen.headers['true-client-ip']).toBe('6.6.6.6');
      expect(seen.headers.forwarded).toBe('for=6.6.6.6');
      // …but never a header that makes the backend serve another path than the rule checked.
      expect(seen.headers['x-original-url']).toBeUndefined();
      expect(seen.headers['x-rewrite-url']).toBeUndefined();
    }
  });

  it('drops every header that describes the client or the request from a peer it does not trust', async () => {
    for (const seen of await forwarded(['10.0.0.10'])) {
      expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(seen.headers['x-forwarded-proto']).toBe('http');
      const planted = seen.rawHeaders.filter(
        (value, i) => i % 2 === 1 && /6\.6\.6\.6|evil|8443|admin|^on$/.test(value),
      );
      expect(planted).toEqual([]);
      for (const name of [
        'x-real-ip',
        'forwarded',
        'x-forwarded-prefix',
        'x-forwarded-port',
        'x-forwarded-ssl',
        'x_forwarded_ssl',
        'true-client-ip',
        'cf-connecting-ip',
        'x-client-ip',
        'x-original-url',
        'x-rewrite-url',
      ])
        expect(seen.headers[name], name).toBeUndefined();
    }
  });
});
