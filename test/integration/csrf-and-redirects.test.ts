import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackedGateway, type BackedGateway } from '../support/backed-gateway.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, type TestGateway } from '../support/gateway.ts';

const base = 'http://gateway.invalid';

/** True for a Location that stays on the gateway's origin and is a plain relative path. */
function sameOriginPath(location: string): boolean {
  if (!location.startsWith('/') || location.startsWith('//') || location.startsWith('/\\')) return false;
  if ([...location].some((char) => char <= ' ' || char === '\u007f' || char === '\\')) return false;
  return new URL(location, base).origin === base;
}

function setCookies(headers: Record<string, string | string[] | undefined>): string[] {
  const value = headers['set-cookie'];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** True when the answer issues (not clears) a session cookie. */
function issuesSession(headers: Record<string, string | string[] | undefined>): boolean {
  return setCookies(headers).some(
    (line) => /^sekisho_sid=[^;]+/.test(line) && !/max-age=0|expires=thu, 01 jan 1970/i.test(line),
  );
}

describe('anti-CSRF and open-redirect defences', () => {
  let gw: TestGateway;
  let backed: BackedGateway;
  let password: string;

  beforeAll(async () => {
    // Dozens of form logins from one address: above the default per-IP login throttle.
    backed = await startBackedGateway({
      config: { password: { ipMaxAttempts: 1000 } },
      backends: ['bk01'],
      rules: ['/bk01/=ALL;;'],
    });
    gw = backed.gw;
    password = await addUser(gw, 'taro');
  });
  afterAll(async () => {
    await backed?.close();
  });

  describe('login form', () => {
    it('refuses a POST without _csrf, with the right password, and issues no session', async () => {
      const client = new FormClient(gw.url);
      await client.get('/_sekisho/login');
      expect(client.cookies.has('sekisho_csrf')).toBe(true);
      const response = await client.post('/_sekisho/login', { username: 'taro', password, next: '/bk01/' });
      expect(response.status).toBe(403);
      expect(issuesSession(response.headers)).toBe(false);
      expect(client.cookies.has('sekisho_sid')).toBe(false);
      expect((await client.get('/bk01/')).status).toBe(302);
    });

    it('refuses a POST with a wrong _csrf', async () => {
      const client = new FormClient(gw.url);
      const page = await client.get('/_sekisho/login');
      const token = csrfField(page.body);
      const forged = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
      for (const value of [forged, 'x', '']) {
        const response = await client.post('/_sekisho/login', { _csrf: value, username: 'taro', password });
        expect(response.status).toBe(403);
        expect(issuesSession(response.headers)).toBe(false);
      }
      expect(client.cookies.has('sekisho_sid')).toBe(false);
    });

    it('refuses a valid token sent without the CSRF cookie it belongs to', async () => {
      const victim = new FormClient(gw.url);
      const page = await victim.get('/_sekisho/login');
      const token = csrfField(page.body);
      // A cross-site form post: the attacker knows a token but the browser has no matching cookie.
      const attacker = new FormClient(gw.url);
      const response = await attacker.post('/_sekisho/login', { _csrf: token, username: 'taro', password });
      expect(response.status).toBe(403);
      expect(issuesSession(response.headers)).toBe(false);
    });

    it("refuses a token paired with someone else's CSRF cookie", async () => {
      const one = new FormClient(gw.url);
      const two = new FormClient(gw.url);
      const tokenOne = csrfField((await one.get('/_sekisho/login')).body);
      await two.get('/_sekisho/login');
      const response = await two.post('/_sekisho/login', { _csrf: tokenOne, username: 'taro', password });
      expect(response.status).toBe(403);
      expect(issuesSession(response.headers)).toBe(false);
    });

    it('accepts the form with its own token and cookie (the control case)', async () => {
      const client = new FormClient(gw.url);
      const response = await client.login('taro', password, '/bk01/');
      expect(response.status).toBe(303);
      expect(issuesSession(response.headers)).toBe(true);
    });
  });

  describe('logout form', () => {
    it('refuses POST /_sekisho/logout without its token; the session keeps working', async () => {
      const client = new FormClient(gw.url);
      expect((await client.login('taro', password, '/bk01/')).status).toBe(303);
      const sid = client.cookies.get('sekisho_sid');
      const withoutToken = await client.post('/_sekisho/logout', {});
      expect(withoutToken.status).toBe(403);
      const wrongToken = await client.post('/_sekisho/logout', { _csrf: 'forged' });
      expect(wrongToken.status).toBe(403);
      expect(client.cookies.get('sekisho_sid')).toBe(sid);
      const app = await client.get('/bk01/');
      expect(app.status).toBe(200);
      expect(JSON.parse(app.body).headers['x-remote-user']).toBe('taro');
    });
  });

  describe('return path after login', () => {
    const hostile = [
      'https://evil.example/',
      '//evil.example/',
      '/\\evil.example',
      '\\\\evil.example',
      '/\\/evil.example',
      'javascript:alert(1)',
      'http:/evil',
      'https:evil.example',
      '/\r\nLocation: https://evil.example/',
      '/%0d%0aLocation:x',
      '/%0D%0ASet-Cookie:%20x=1',
      '\t//evil.example/',
      ' /x',
      '/\t/evil.example',
      'HTTPS://EVIL.EXAMPLE',
      '',
      // Dot segments that resolve to a protocol-relative `//host`.
      '/.//evil.example/x',
      '/%2e%2e//evil.example/x',
      '/a/..//evil.example/x',
      '/./\\evil.example',
    ];

    it.each(hostile)('sends the browser to / for next=%j posted in the form', async (next) => {
      const client = new FormClient(gw.url);
      const page = await client.get('/_sekisho/login');
      const response = await client.post('/_sekisho/login', {
        _csrf: csrfField(page.body),
        username: 'taro',
        password,
        next,
      });
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe('/');
      expect(issuesSession(response.headers)).toBe(true);
    });

    it.each(['/.//evil.example/x', '/a/..//evil.example/x'])(
      'the MFA dispatcher, with no session, never redirects off-site for next=%j',
      async (next) => {
        const response = await new FormClient(gw.url).get(`/_sekisho/mfa?next=${encodeURIComponent(next)}`);
        expect(response.status).toBe(303);
        expect(response.headers.location).not.toMatch(/^\/\/|^\/\\|evil/);
      },
    );

    it.each(hostile)('never carries next=%j from a login link into the form', async (next) => {
      const client = new FormClient(gw.url);
      const page = await client.get(`/_sekisho/login?next=${encodeURIComponent(next)}`);
      expect(page.status).toBe(200);
      const carried = /name="next" value="([^"]*)"/.exec(page.body)?.[1];
      expect(carried).toBe('/');
    });

    it('follows a hostile link end to end to a same-origin answer', async () => {
      const client = new FormClient(gw.url);
      // What a victim clicks: the value is decoded by the query parser, so CR LF arrive raw.
      const page = await client.get('/_sekisho/login?next=/%0d%0aLocation:%20https://evil.example/');
      const next = /name="next" value="([^"]*)"/.exec(page.body)?.[1] ?? '';
      const response = await client.post('/_sekisho/login', {
        _csrf: csrfField(page.body),
        username: 'taro',
        password,
        next,
      });
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe('/');
    });

    it.each(['/bk01/a?b=c', '/bk01/', '/bk01/a/b?x=1&y=%2F', '/bk01/%E6%97%A5%E6%9C%AC'])(
      'keeps a good next=%s',
      async (next) => {
        const client = new FormClient(gw.url);
        const response = await client.login('taro', password, next);
        expect(response.status).toBe(303);
        expect(response.headers.location).toBe(next);
        expect(sameOriginPath(String(response.headers.location))).toBe(true);
      },
    );

    it('normalises a relative next with dot segments to a same-origin path', async () => {
      const client = new FormClient(gw.url);
      const response = await client.login('taro', password, '/bk01/../bk01/a');
      expect(response.status).toBe(303);
      const location = String(response.headers.location);
      expect(sameOriginPath(location)).toBe(true);
      expect(location).toBe('/bk01/a');
    });

    it('escapes the return path in the login page markup', async () => {
      const client = new FormClient(gw.url);
      const page = await client.get(
        `/_sekisho/login?next=${encodeURIComponent('/bk01/"><script>alert(1)</script>')}`,
      );
      expect(page.body).not.toContain('<script>alert(1)</script>');
    });
  });
});
