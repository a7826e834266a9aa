import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/ports/clock.ts';
import { karadenSettings, startFakeKaraden, type FakeKaraden } from '../fakes/karaden-server.ts';
import { codeIn } from '../fakes/smsotp-harness.ts';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { csrfField, FormClient, type Answer } from '../support/browser-client.ts';
import { carriers } from '../support/carriers.ts';
import { addUser, request, setRules, startGateway, type TestGateway } from '../support/gateway.ts';

/** The three rule lines of the office/home/payroll example in docs/rules.md. */
const RULES = [
  '/bk01/=ALL;;;from=office',
  '/bk01/=ALL;;SMSOTP',
  '/bk01/payroll/admin/=@payroll;;SMSOTP;reauth=15m',
];

/** What the trusted proxy in front (this test's client, on 127.0.0.1) says about the client. */
const OFFICE = { 'x-forwarded-for': '10.20.3.4' };
// The client wrote an office address itself; the trusted proxy appended the one it saw: only that counts.
const HOME = { 'x-forwarded-for': '10.20.3.4, 198.51.100.7' };
const HOME_V6 = { 'x-forwarded-for': '2001:db8::7' };

const minutes = (n: number) => n * 60_000;

/**
 * "Password from the office, password and an SMS code from home, a fresh SMS code every 15
 * minutes for the payroll admin pages", through the real gateway on both carriers: a trusted
 * peer sets X-Forwarded-For from inside and outside the office network, SMS codes arrive at the
 * fake Karaden, and the fake clock ages the proofs.
 */
describe.each(carriers)('rules by network and by age of proof ($carrier)', ({ leanPath }) => {
  const clock = new FakeClock(Date.UTC(2026, 11, 3, 9, 0, 0));
  let karaden: FakeKaraden;
  let backend: FakeBackend;
  let gw: TestGateway;
  const passwords = new Map<string, string>();

  beforeAll(async () => {
    karaden = await startFakeKaraden();
    backend = await startBackend();
    gw = await startGateway({
      clock,
      config: {
        proxy: { leanPath },
        trustProxy: ['127.0.0.1'],
        networks: { office: ['10.20.0.0/16', 'fd20::/16'] },
        backends: { bk01: { url: backend.url } },
        sms: { provider: 'karaden', karaden: karadenSettings(karaden) },
        otp: { maxSendsPerWindow: 100 },
      },
    });
    await setRules(gw, ...RULES);
    for (const id of ['taro', 'jiro', 'hanako', 'saburo'])
      passwords.set(id, await addUser(gw, id, { phone: '+819012345678', groups: ['payroll'] }));
  });
  afterAll(async () => {
    await gw?.close();
    await backend?.close();
    await karaden?.close();
  });

  /** Logs in with the password from `where`; returns the client and where the gateway sent it. */
  async function login(id: string, where: Record<string, string>, next: string) {
    const client = new FormClient(gw.url);
    const page = await client.get(`/_sekisho/login?next=${encodeURIComponent(next)}`, where);
    const answer = await client.post(
      '/_sekisho/login',
      { _csrf: csrfField(page.body), username: id, password: passwords.get(id) ?? '', next },
      where,
    );
    expect(answer.status).toBe(303);
    return { client, location: String(answer.headers.location) };
  }

  /** Follows the gateway's redirects to the SMS page and posts the code the fake Karaden received. */
  async function proveSms(client: FormClient, where: Record<string, string>, start: string): Promise<Answer> {
    const sent = karaden.received.length;
    let page = await client.get(start, where);
    for (let hops = 0; page.status !== 200 && hops < 3; hops += 1)
      page = await client.get(String(page.headers.location), where);
    expect(page.body).toContain('name="otp"');
    expect(karaden.received.length).toBe(sent + 1);
    const code = codeIn(String(karaden.received.at(-1)?.message.body));
    const next = /name="next" value="([^"]*)"/.exec(page.body)?.[1]?.replaceAll('&#x2F;', '/') ?? '/';
    const done = await client.post(
      '/_sekisho/mfa/SMSOTP',
      { _csrf: csrfField(page.body), next, otp: code },
      where,
    );
    expect(done.status).toBe(303);
    return done;
  }

  async function fetchAs(client: FormClient, path: string, where: Record<string, string>) {
    return client.get(path, where);
  }

  it('from the office, the password alone reaches /bk01/ (no SMS sent)', async () => {
    const sent = karaden.received.length;
    const { client, location } = await login('taro', OFFICE, '/bk01/app');
    expect(location).toBe('/bk01/app');
    const page = await fetchAs(client, '/bk01/app', OFFICE);
    expect(page.status).toBe(200);
    expect(backend.seen.at(-1)?.headers['x-remote-auth-methods']).toBe('password');
    expect(karaden.received.length).toBe(sent);
  });

  it('from home, the same session is asked for an SMS code (step-up), then passes', async () => {
    const { client, location } = await login('jiro', HOME, '/bk01/app');
    expect(location).toContain('/_sekisho/mfa');
    // The office rule does not apply from home even with a password session made there.
    const refused = await fetchAs(client, '/bk01/app', HOME);
    expect(refused.status).toBe(302);
    await proveSms(client, HOME, location);
    const page = await fetchAs(client, '/bk01/app', HOME);
    expect(page.status).toBe(200);
    expect(backend.seen.at(-1)?.headers['x-remote-auth-methods']).toBe('password,SMSOTP');
    // No rule says newdevice=: logins are not judged new or known, and nobody is told anything.
    const { rows } = await gw.runtime.pool.query(
      `SELECT 1 FROM audit_events WHERE event = 'login.new_environment'`,
    );
    expect(rows).toEqual([]);
  });

  it('an IPv6 client outside the office network is asked for the SMS code too', async () => {
    const { client } = await login('hanako', OFFICE, '/bk01/app');
    expect((await fetchAs(client, '/bk01/app', OFFICE)).status).toBe(200);
    const fromHome = await client.get('/bk01/app', { ...HOME_V6, accept: 'application/json' });
    expect(fromHome.status).toBe(401);
    expect(JSON.parse(fromHome.body)).toMatchObject({ methods: ['SMSOTP'] });
  });

  it('the payroll admin pages want an SMS code proven in the last 15 minutes, and ask only that again', async () => {
    const { client } = await login('saburo', OFFICE, '/bk01/payroll/admin/');
    const first = await fetchAs(client, '/bk01/payroll/admin/', OFFICE);
    expect(first.status).toBe(302);
    await proveSms(client, OFFICE, String(first.headers.location));
    expect((await fetchAs(client, '/bk01/payroll/admin/', OFFICE)).status).toBe(200);

    clock.advance(minutes(10));
    expect((await fetchAs(client, '/bk01/payroll/admin/', OFFICE)).status).toBe(200);

    clock.advance(minutes(6));
    const cookieBefore = client.cookieHeader();
    const stale = await client.get('/bk01/payroll/admin/', { ...OFFICE, accept: 'application/json' });
    expect(stale.status).toBe(401);
    // Only the stale SMS code is asked for, not the password: the session is kept.
    expect(JSON.parse(stale.body)).toMatchObject({ methods: ['SMSOTP'] });
    expect((await fetchAs(client, '/bk01/app', OFFICE)).status).toBe(200);
    const again = await fetchAs(client, '/bk01/payroll/admin/', OFFICE);
    expect(again.headers.location).toContain('/_sekisho/mfa');
    await proveSms(client, OFFICE, String(again.headers.location));
    // A new session ID after the proof.
    expect(client.cookieHeader()).not.toBe(cookieBefore);
    expect((await fetchAs(client, '/bk01/payroll/admin/', OFFICE)).status).toBe(200);
  });

  it('the forward-auth endpoints judge the client the proxy reports, the same way', async () => {
    const { client } = await login('taro', OFFICE, '/bk01/app');
    const ask = (forwardedFor: string) =>
      request(`${gw.url}/_sekisho/authz/auth-request`, {
        headers: {
          cookie: client.cookieHeader(),
          accept: 'application/json',
          'x-original-url': 'http://127.0.0.1:8080/bk01/app',
          'x-original-method': 'GET',
          'x-forwarded-for': forwardedFor,
        },
      });
    const inside = await ask('10.20.9.9');
    await inside.body.dump();
    expect(inside.statusCode).toBe(200);
    expect(inside.headers['x-remote-user']).toBe('taro');
    const outside = await ask('198.51.100.7');
    expect(outside.statusCode).toBe(401);
    expect(await outside.body.json()).toMatchObject({ methods: ['SMSOTP'] });
  });
});

describe('X-Forwarded-For from a peer trustProxy does not trust', () => {
  let backend: FakeBackend;
  let gw: TestGateway;
  let password: string;

  beforeAll(async () => {
    backend = await startBackend();
    gw = await startGateway({
      config: {
        trustProxy: false,
        networks: { office: ['10.20.0.0/16'] },
        backends: { bk01: { url: backend.url } },
        sms: { provider: 'sandbox', sandbox: { enabled: true } },
      },
    });
    await setRules(gw, ...RULES);
    password = await addUser(gw, 'taro', { phone: '+819012345678' });
  });
  afterAll(async () => {
    await gw?.close();
    await backend?.close();
  });

  it('is ignored: the connecting peer (127.0.0.1) is the client, outside the office', async () => {
    const client = new FormClient(gw.url);
    const page = await client.get('/_sekisho/login?next=%2Fbk01%2F', OFFICE);
    const answer = await client.post(
      '/_sekisho/login',
      { _csrf: csrfField(page.body), username: 'taro', password, next: '/bk01/' },
      OFFICE,
    );
    expect(String(answer.headers.location)).toContain('/_sekisho/mfa');
    const refused = await client.get('/bk01/', { ...OFFICE, accept: 'application/json' });
    expect(refused.status).toBe(401);
    expect(backend.seen).toEqual([]);
  });
});
