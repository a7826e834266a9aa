import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/ports/clock.ts';
import { startBackend, type FakeBackend, type SeenRequest } from '../support/backend.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { startCaddy, startNginx, type FrontProxy, type FrontTargets } from '../support/front-proxy.ts';
import { addUser, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import { fetchJwks, verifyEs256 } from '../support/jwt-verify.ts';
import { rawRequest } from '../support/raw-http.ts';

/**
 * The shipped example configs (deploy/nginx, deploy/caddy), only their addresses templated, run
 * as their own processes in front of a real gateway (the checker) and an echo application:
 * login through the proxy, identity and assertion at the application, spoofed headers stripped,
 * refusals, BYPASS, an unsafe path, logout, and the idle timer renewed by the checks.
 */
const proxies: [string, (targets: FrontTargets) => Promise<FrontProxy>, RegExp][] = [
  // The default server closes the connection without an answer (444).
  ['nginx (auth_request)', startNginx, /^incomplete HTTP response: ""$/],
  // No site matches: Caddy answers an empty 200 of its own.
  ['Caddy (forward_auth)', startCaddy, /^200 $/],
];

const spoofed: [string, string][] = [
  ['X-Remote-User', 'admin'],
  ['X-Remote-Groups', 'admins'],
  ['X-Remote-Auth-Methods', 'password,SMSOTP'],
  ['X-Remote-Assertion', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.'],
  ['X_Remote_User', 'admin'],
  ['X_Remote_Assertion', 'forged'],
];

describe.each(proxies)('%s with the shipped config in front of the gateway', (_name, start, refusal) => {
  const clock = new FakeClock(Date.UTC(2026, 11, 3, 9, 0, 0));
  let app: FakeBackend;
  let gateway: TestGateway;
  let proxy: FrontProxy;
  let password: string;

  beforeAll(async () => {
    app = await startBackend();
    gateway = await startGateway({ clock, config: { trustProxy: ['127.0.0.1'] } });
    await setRules(gateway, '/app/=ALL;;', '/app/public/=ALL;;BYPASS', '/app/admin/=@admins;;');
    password = await addUser(gateway, 'taro', { groups: ['keiri'] });
    const port = (url: string) => Number(new URL(url).port);
    proxy = await start({ gateway: port(gateway.url), app: port(app.url) });
  });
  afterAll(async () => {
    await proxy?.close();
    await gateway?.close();
    await app?.close();
  });

  /** One request through the proxy: its answer, and what the application saw of it (if anything). */
  async function through(path: string, headers: [string, string][] = []) {
    const before = app.seen.length;
    const response = await rawRequest(proxy.url, 'GET', path, headers);
    const seen: SeenRequest | undefined = app.seen[before];
    return { response, seen };
  }

  async function loggedIn(): Promise<FormClient> {
    const client = new FormClient(proxy.url);
    const done = await client.login('taro', password, '/app/page?x=1');
    expect(done.status, proxy.log()).toBe(303);
    expect(done.headers.location).toBe('/app/page?x=1');
    return client;
  }

  it('sends a browser without a session to the login page carrying the original path', async () => {
    const browser = await through('/app/page?x=1', [['Accept', 'text/html']]);
    expect(browser.response.status, proxy.log()).toBe(302);
    expect(browser.response.headers.location?.[0]).toMatch(/\/_sekisho\/login\?next=%2Fapp%2Fpage%3Fx%3D1$/);
    expect(browser.seen).toBeUndefined();
    const api = await through('/app/page', [['Accept', 'application/json']]);
    expect(api.response.status).toBe(401);
    expect(api.seen).toBeUndefined();
  });

  it('logs in through the proxy; the application gets the identity and a verifiable assertion, not the spoofed ones', async () => {
    const client = await loggedIn();
    const { response, seen } = await through('/app/page?x=1', [
      ['Cookie', `${client.cookieHeader()}; theme=dark`],
      ...spoofed,
    ]);
    expect(response.status, proxy.log()).toBe(200);
    expect(seen?.url).toBe('/app/page?x=1');
    expect(seen?.headers['x-remote-user']).toBe('taro');
    expect(seen?.headers['x-remote-groups']).toBe('keiri');
    expect(seen?.headers['x-remote-auth-methods']).toBe('password');
    const names = seen?.rawHeaders.filter((_v, i) => i % 2 === 0).map((h) => h.toLowerCase()) ?? [];
    expect(names.filter((h) => h === 'x-remote-user' || h === 'x-remote-assertion')).toHaveLength(2);
    expect(names).not.toContain('x_remote_user');
    expect(names).not.toContain('x_remote_assertion');
    // The application keeps its own cookies and never sees the gateway's.
    expect(seen?.headers.cookie).toContain('theme=dark');
    expect(seen?.headers.cookie ?? '').not.toMatch(/sekisho_/);
    const jwks = await fetchJwks(proxy.url);
    const { claims } = verifyEs256(String(seen?.headers['x-remote-assertion']), jwks.keys, clock.now());
    expect(claims).toMatchObject({
      iss: 'http://127.0.0.1:8080',
      aud: `127.0.0.1:${proxy.port}`,
      sub: 'taro',
      groups: ['keiri'],
      amr: ['pwd', 'password'],
    });
  });

  it('never passes a gateway cookie on, even sent twice (refused, or every copy removed)', async () => {
    const client = await loggedIn();
    const { response, seen } = await through('/app/page', [
      // The gateway reads the first session cookie (the real one) and allows the request; a second
      // copy must not reach the application.
      ['Cookie', `${client.cookieHeader()}; sekisho_sid=again; theme=dark`],
    ]);
    if (seen === undefined) expect(response.status, proxy.log()).toBe(400);
    else expect(seen.headers.cookie ?? '').not.toMatch(/sekisho_/);
  });

  it('passes BYPASS paths without identity, even a spoofed one', async () => {
    const { response, seen } = await through('/app/public/notice', spoofed);
    expect(response.status, proxy.log()).toBe(200);
    const names = seen?.rawHeaders.filter((_v, i) => i % 2 === 0).map((h) => h.toLowerCase()) ?? [];
    expect(names.filter((h) => h.includes('remote'))).toEqual([]);
  });

  it('refuses what the rules refuse (403) and a path that cannot be made canonical (400)', async () => {
    const client = await loggedIn();
    const cookie: [string, string] = ['Cookie', client.cookieHeader()];
    const denied = await through('/app/admin/users', [cookie, ['Accept', 'application/json']]);
    expect(denied.response.status).toBe(403);
    expect(denied.seen).toBeUndefined();
    const unruled = await through('/elsewhere/', [cookie]);
    expect(unruled.response.status).toBe(403);
    expect(unruled.seen).toBeUndefined();
    const unsafe = await through('/app/a%2Fb', [cookie]);
    expect(unsafe.response.status, proxy.log()).toBe(400);
    expect(unsafe.seen).toBeUndefined();
  });

  it("renews the session's idle timer on each check, and logout ends access", async () => {
    const client = await loggedIn();
    const cookie: [string, string] = ['Cookie', client.cookieHeader()];
    const idle = gateway.config.session.idleTimeoutSeconds * 1000;
    // Two thirds of the idle timeout, twice: alive only because the check in between touched it.
    clock.advance((idle * 2) / 3);
    expect((await through('/app/page', [cookie])).response.status).toBe(200);
    clock.advance((idle * 2) / 3);
    expect((await through('/app/page', [cookie])).response.status).toBe(200);
    const page = await client.get('/_sekisho/logout');
    expect((await client.post('/_sekisho/logout', { _csrf: csrfField(page.body) })).status).toBe(200);
    const after = await through('/app/page', [cookie, ['Accept', 'text/html']]);
    expect(after.response.status).toBe(302);
    expect(after.seen).toBeUndefined();
  });

  it('refuses a Host it does not serve: not even a BYPASS path reaches the application', async () => {
    const before = app.seen.length;
    const answer = await rawRequest(proxy.url, 'GET', '/app/public/notice', [
      ['Host', 'unknown.example'],
    ]).then(
      (response) => `${response.status} ${response.body}`,
      (error: Error) => error.message,
    );
    expect(answer, proxy.log()).toMatch(refusal);
    expect(app.seen.length).toBe(before);
    // The site's own name (the address here) is still served.
    expect((await through('/app/public/notice')).response.status).toBe(200);
  });

  it('does not let a client ask the checker itself', async () => {
    const direct = await through('/_sekisho/authz/forward-auth', [['X-Forwarded-Uri', '/app/page']]);
    expect(direct.response.status).toBe(404);
  });
});

describe('the authorization endpoints and an untrusted peer', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    // Trusts one proxy elsewhere: the test's own connections come from an untrusted peer.
    gateway = await startGateway({ config: { trustProxy: ['192.0.2.10'] } });
    await setRules(gateway, '/app/=ALL;;BYPASS');
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it.each([
    [
      '/_sekisho/authz/auth-request',
      [
        ['X-Original-URL', 'http://app.example/app/x'],
        ['X-Original-Method', 'GET'],
      ],
    ],
    [
      '/_sekisho/authz/forward-auth',
      [
        ['X-Forwarded-Method', 'GET'],
        ['X-Forwarded-Proto', 'http'],
        ['X-Forwarded-Host', 'app.example'],
        ['X-Forwarded-Uri', '/app/x'],
      ],
    ],
  ] as [string, [string, string][]][])('%s answers 403', async (path, headers) => {
    const response = await rawRequest(gateway.url, 'GET', path, headers);
    expect(response.status).toBe(403);
    expect(response.body).toContain('untrusted_peer');
  });
});
