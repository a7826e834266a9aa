import { afterAll, describe, expect, it } from 'vitest';
import { FormClient } from '../support/browser-client.ts';
import { addUser, setRules } from '../support/gateway.ts';
import { buildTestApp, type TestApp } from '../support/test-app.ts';

/** The session cookie's attributes and the password hash's parameters, as the README states them. */
describe('session cookie attributes and the stored password hash', () => {
  const gateways: TestApp[] = [];
  afterAll(async () => {
    for (const gw of gateways) await gw.close();
  });

  async function loginCookie(publicUrl: string) {
    const gw = await buildTestApp({ config: { publicUrl } });
    gateways.push(gw);
    await setRules(gw, '/=ALL;;');
    const password = await addUser(gw, 'taro');
    const answer = await new FormClient(gw.app).login('taro', password, '/');
    expect(answer.status).toBe(303);
    const setCookie = [answer.headers['set-cookie'] ?? []].flat();
    return { gw, cookie: setCookie.find((c) => c.includes('sekisho_sid=')) ?? '' };
  }

  it('over http: HttpOnly, SameSite=Lax, Path=/, no Secure', async () => {
    const { cookie } = await loginCookie('http://127.0.0.1:8080');
    expect(cookie).toMatch(/^sekisho_sid=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\//i);
    expect(cookie).not.toMatch(/; Secure/i);
  });

  it('behind an https publicUrl: Secure, with the __Host- prefix', async () => {
    const { cookie } = await loginCookie('https://gw.example.co.jp');
    expect(cookie).toMatch(/^__Host-sekisho_sid=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; Path=\//i);
    expect(cookie).not.toMatch(/; Domain=/i);
  });

  it('stores argon2id with the OWASP parameters (19 MiB, t=2, p=1)', async () => {
    const gw = gateways[0] ?? (await loginCookie('http://127.0.0.1:8080')).gw;
    const { rows } = await gw.runtime.pool.query<{ password_hash: string }>(
      'SELECT password_hash FROM users WHERE id = $1',
      ['taro'],
    );
    expect(rows[0]?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  });
});
