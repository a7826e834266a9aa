import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/adapters/redis/redis-store.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { FormClient } from '../support/browser-client.ts';
import { addUser, setRules, startGateway, type TestGateway } from '../support/gateway.ts';

const second = 1000;

describe('session IDs, fixation and timeouts', () => {
  const clock = new FakeClock();
  let backend: FakeBackend;
  let gw: TestGateway;
  let taro: string;
  let jiro: string;

  beforeAll(async () => {
    backend = await startBackend();
    gw = await startGateway({
      clock,
      config: {
        backends: { bk01: { url: backend.url } },
        session: { idleTimeoutSeconds: 600, absoluteTimeoutSeconds: 3600 },
      },
    });
    await setRules(gw, '/bk01/=ALL;;');
    taro = await addUser(gw, 'taro');
    jiro = await addUser(gw, 'jiro');
  });
  afterAll(async () => {
    await gw?.close();
    await backend?.close();
  });

  /** A request to the app with exactly this session cookie (or none). */
  async function appWith(sid: string | undefined) {
    const client = new FormClient(gw.url);
    if (sid !== undefined) client.cookies.set('sekisho_sid', sid);
    return client.get('/bk01/whoami');
  }

  async function loggedIn(user = 'taro', password = taro): Promise<FormClient> {
    const client = new FormClient(gw.url);
    expect((await client.login(user, password, '/bk01/')).status).toBe(303);
    return client;
  }

  it('issues no session before login and a fresh one at login', async () => {
    const client = new FormClient(gw.url);
    await client.get('/bk01/');
    await client.get('/_sekisho/login');
    expect(client.cookies.has('sekisho_sid')).toBe(false);
    expect((await client.login('taro', taro, '/bk01/')).status).toBe(303);
    const sid = client.cookies.get('sekisho_sid');
    expect(sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await client.get('/bk01/')).status).toBe(200);
  });

  it('does not adopt a made-up session ID planted before login', async () => {
    const planted = randomBytes(32).toString('base64url');
    expect(planted).toHaveLength(43);
    const client = new FormClient(gw.url);
    client.cookies.set('sekisho_sid', planted);
    expect((await client.get('/bk01/')).status).toBe(302);
    expect((await client.login('taro', taro, '/bk01/')).status).toBe(303);
    const issued = client.cookies.get('sekisho_sid');
    expect(issued).not.toBe(planted);
    expect((await client.get('/bk01/')).status).toBe(200);
    // The attacker who planted the value gets nothing from it.
    expect((await appWith(planted)).status).toBe(302);
  });

  it("does not carry an attacker's real session into the victim's login (fixation)", async () => {
    const attacker = await loggedIn('jiro', jiro);
    const attackerSid = attacker.cookies.get('sekisho_sid') ?? '';
    const victim = new FormClient(gw.url);
    victim.cookies.set('sekisho_sid', attackerSid);
    expect((await victim.login('taro', taro, '/bk01/')).status).toBe(303);
    const victimSid = victim.cookies.get('sekisho_sid');
    expect(victimSid).not.toBe(attackerSid);
    const seen = JSON.parse((await victim.get('/bk01/')).body);
    expect(seen.headers['x-remote-user']).toBe('taro');
    // The planted ID neither became taro's session nor stayed jiro's.
    expect((await appWith(attackerSid)).status).toBe(302);
  });

  it('issues a new ID when the same user logs in again; the old ID stops working', async () => {
    const client = await loggedIn();
    const first = client.cookies.get('sekisho_sid') ?? '';
    expect((await appWith(first)).status).toBe(200);
    expect((await client.login('taro', taro, '/bk01/')).status).toBe(303);
    const second = client.cookies.get('sekisho_sid') ?? '';
    expect(second).not.toBe(first);
    expect((await appWith(second)).status).toBe(200);
    expect((await appWith(first)).status).toBe(302);
  });

  it('refuses malformed and unknown cookie values without error', async () => {
    for (const value of [
      '',
      'x',
      'a'.repeat(43),
      'a'.repeat(44),
      '../../etc/passwd',
      '%00',
      randomBytes(32).toString('base64url'),
    ]) {
      const response = await appWith(value);
      expect(response.status).toBe(302);
    }
  });

  it('keeps a session used within the idle timeout and ends it after 600 s without requests', async () => {
    const client = await loggedIn();
    const sid = client.cookies.get('sekisho_sid');
    clock.advance(599 * second);
    expect((await appWith(sid)).status).toBe(200);
    // The request above renewed it: another 599 s is still fine.
    clock.advance(599 * second);
    expect((await appWith(sid)).status).toBe(200);
    clock.advance(601 * second);
    const expired = await appWith(sid);
    expect(expired.status).toBe(302);
    expect(expired.headers.location).toBe('/_sekisho/login?next=%2Fbk01%2Fwhoami');
    // Deleted, not merely refused once: a further request does not revive it.
    expect((await appWith(sid)).status).toBe(302);
  });

  it('answers a non-browser request after the idle timeout with 401 JSON', async () => {
    const client = await loggedIn();
    clock.advance(601 * second);
    const response = await client.get('/bk01/api', { accept: 'application/json' });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'authentication_required' });
  });

  it('ends an active session at the absolute timeout (3600 s) however busy it is', async () => {
    const client = await loggedIn();
    const sid = client.cookies.get('sekisho_sid');
    for (let elapsed = 500; elapsed <= 3500; elapsed += 500) {
      clock.advance(500 * second);
      expect((await appWith(sid)).status, `still valid after ${elapsed} s`).toBe(200);
    }
    clock.advance(500 * second);
    expect((await appWith(sid)).status).toBe(302);
  });

  it('does not extend the absolute lifetime by logging in again on the same session', async () => {
    const client = await loggedIn();
    clock.advance(500 * second);
    for (let elapsed = 500; elapsed < 3500; elapsed += 500) {
      expect((await client.get('/bk01/')).status).toBe(200);
      clock.advance(500 * second);
    }
    // 3500 s in: a fresh password proof still keeps the session's original start.
    expect((await client.login('taro', taro, '/bk01/')).status).toBe(303);
    expect((await client.get('/bk01/')).status).toBe(200);
    clock.advance(200 * second);
    expect((await client.get('/bk01/')).status).toBe(302);
  });

  it('stores only a hash of the session ID in Redis', async () => {
    const client = await loggedIn();
    const sid = client.cookies.get('sekisho_sid') ?? '';
    const keys = await redisKeys(gw);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.some((key) => key.includes(sid))).toBe(false);
  });
});

async function redisKeys(gw: TestGateway): Promise<string[]> {
  const store = gw.runtime.gateway.store;
  if (!(store instanceof RedisStore)) throw new Error('expected the Redis store');
  return store.client.keys(`${gw.config.redis.keyPrefix}*`);
}
