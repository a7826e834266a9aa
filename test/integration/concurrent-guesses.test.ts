import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/ports/clock.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import { karadenSettings, startFakeKaraden, type FakeKaraden } from '../fakes/karaden-server.ts';
import { codeIn } from '../fakes/smsotp-harness.ts';

/**
 * Wraps the gateways' hashers (the very objects their PasswordLogin calls) to count verifications
 * against users' hashes and against the dummy. While holding, each verification waits until
 * released, so a test can have every attempt of a burst reach the verify before any finishes:
 * the order in which a lockout read before the verify lets them all through.
 */
function probeHashers(...gateways: TestGateway[]) {
  const counts = { real: 0, dummy: 0 };
  let holding = false;
  const parked: (() => void)[] = [];
  const waiters: { calls: number; resolve: () => void }[] = [];
  async function arrive(): Promise<void> {
    for (const waiter of waiters) if (counts.real + counts.dummy >= waiter.calls) waiter.resolve();
    if (holding) await new Promise<void>((resolve) => parked.push(resolve));
  }
  for (const { runtime } of gateways) {
    const hasher = runtime.gateway.hasher;
    const { verify, verifyDummy } = hasher;
    vi.spyOn(hasher, 'verify').mockImplementation(async (hash, password) => {
      counts.real += 1;
      await arrive();
      return verify(hash, password);
    });
    vi.spyOn(hasher, 'verifyDummy').mockImplementation(async (password) => {
      counts.dummy += 1;
      await arrive();
      return verifyDummy(password);
    });
  }
  return {
    counts,
    hold: () => void (holding = true),
    /** Resolves once `calls` verifications, real or dummy, have started. */
    reached: (calls: number) =>
      new Promise<void>((resolve) => {
        waiters.push({ calls, resolve });
        if (counts.real + counts.dummy >= calls) resolve();
      }),
    /** Lets the held verification that arrived `index`-th (from 0) run. */
    release: (index: number) => parked[index]?.(),
    releaseAll: () => {
      holding = false;
      for (const resolve of parked) resolve();
    },
  };
}

/** A client on `gw` with the login form's anti-CSRF token, to post many logins at once. */
async function loginForm(gw: TestGateway) {
  const client = new FormClient(gw.url);
  const token = csrfField((await client.get('/_sekisho/login')).body);
  return (username: string, password: string) =>
    client.post('/_sekisho/login', { _csrf: token, username, password, next: '/' });
}

const wrongGuesses = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => `wrong-guess-${from + i}`);

describe('concurrent password guesses: each attempt is reserved before the argon2 verify', () => {
  const clock = new FakeClock();
  const maxFailures = 5;
  const lockoutMs = 900_000;
  let gw: TestGateway;
  let other: TestGateway;
  const passwords: Record<string, string> = {};

  beforeAll(async () => {
    const config = { password: { maxFailures, lockoutSeconds: lockoutMs / 1000, ipMaxAttempts: 10_000 } };
    gw = await startGateway({ clock, config });
    other = await startGateway({ clock, config, sharedWith: gw });
    for (const id of ['taro', 'jiro', 'saburo', 'shiro', 'goro']) passwords[id] = await addUser(gw, id);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await other?.close();
    await gw?.close();
  });

  async function reasons(userId: string): Promise<string[]> {
    const { rows } = await gw.runtime.pool.query<{ reason: string | null }>(
      `SELECT detail->>'reason' AS reason FROM audit_events
       WHERE event = 'login.password' AND user_id = $1 ORDER BY id`,
      [userId],
    );
    return rows.map((row) => row.reason ?? 'success');
  }
  const tally = (list: string[]) =>
    Object.fromEntries([...new Set(list)].map((r) => [r, list.filter((x) => x === r).length]));
  const account = async (id: string) => gw.runtime.gateway.users.find(id);

  it('50 at once: exactly maxFailures verify against the hash, the rest a dummy, and the account is locked out', async () => {
    const probe = probeHashers(gw);
    const post = await loginForm(gw);
    const answers = await Promise.all(wrongGuesses(50).map((guess) => post('taro', guess)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(401));
    expect(probe.counts).toEqual({ real: maxFailures, dummy: 50 - maxFailures });
    expect(tally(await reasons('taro'))).toEqual({ 'wrong-password': maxFailures, lockout: 45 });
    expect(await account('taro')).toMatchObject({
      failedCount: maxFailures,
      lockoutUntil: clock.now() + lockoutMs,
    });

    const right = await post('taro', passwords.taro ?? '');
    expect(right.status).toBe(401);
    expect(probe.counts.real).toBe(maxFailures);
  });

  it('a right password inside a burst logs in on its own reservation, reopens nothing, and the account ends locked out', async () => {
    const probe = probeHashers(gw);
    probe.hold();
    const post = await loginForm(gw);
    const first = wrongGuesses(2).map((guess) => post('jiro', guess));
    await probe.reached(2);
    const right = loginForm(gw).then((own) => own('jiro', passwords.jiro ?? ''));
    await probe.reached(3);
    const rest = wrongGuesses(47, 2).map((guess) => post('jiro', guess));
    // Every attempt has been decided before any verification finishes.
    await probe.reached(50);
    probe.releaseAll();
    const wrong = await Promise.all([...first, ...rest]);

    expect((await right).status).toBe(303);
    expect(wrong.map((answer) => answer.status)).toEqual(Array(49).fill(401));
    // Two wrong guesses before the right one, two after it; the other 45 got no verification.
    expect(probe.counts).toEqual({ real: maxFailures, dummy: 45 });
    expect(tally(await reasons('jiro'))).toEqual({ 'wrong-password': 4, lockout: 45, success: 1 });
    // The success took back its own reservation only: the count stands and the lockout holds.
    expect(await account('jiro')).toMatchObject({ failedCount: 4, lockoutUntil: clock.now() + lockoutMs });
    expect((await post('jiro', passwords.jiro ?? '')).status).toBe(401);
  });

  it('a success does not forgive wrong guesses still being checked: they count themselves back in', async () => {
    const probe = probeHashers(gw);
    probe.hold();
    const post = await loginForm(gw);
    const wrong = wrongGuesses(2).map((guess) => post('shiro', guess));
    await probe.reached(2);
    const right = loginForm(gw).then((own) => own('shiro', passwords.shiro ?? ''));
    await probe.reached(3);
    probe.release(2);
    expect((await right).status).toBe(303);
    // The right password was the latest attempt: it cleared the count, as a login always has.
    expect((await account('shiro'))?.failedCount).toBe(0);
    probe.releaseAll();
    expect((await Promise.all(wrong)).map((answer) => answer.status)).toEqual([401, 401]);
    expect(await account('shiro')).toMatchObject({ failedCount: 2, lockoutUntil: null });
  });

  it('one at a time, as before: a login clears the failures before it', async () => {
    const post = await loginForm(gw);
    for (const guess of wrongGuesses(maxFailures - 1)) expect((await post('goro', guess)).status).toBe(401);
    expect((await account('goro'))?.failedCount).toBe(maxFailures - 1);
    expect((await post('goro', passwords.goro ?? '')).status).toBe(303);
    expect(await account('goro')).toMatchObject({ failedCount: 0, lockoutUntil: null });
  });

  it('two gateways on one database share the cap: 25 + 25 at once, maxFailures verifications in all', async () => {
    const probe = probeHashers(gw, other);
    probe.hold();
    const [onFirst, onOther] = await Promise.all([loginForm(gw), loginForm(other)]);
    const guesses = wrongGuesses(50).map((guess, i) => (i % 2 === 0 ? onFirst : onOther)('saburo', guess));
    await probe.reached(50);
    probe.releaseAll();
    expect((await Promise.all(guesses)).map((answer) => answer.status)).toEqual(Array(50).fill(401));
    expect(probe.counts).toEqual({ real: maxFailures, dummy: 45 });
    expect(tally(await reasons('saburo'))).toEqual({ 'wrong-password': maxFailures, lockout: 45 });

    // The window ends on time (fake clock), on either gateway; the login starts a clean count.
    clock.advance(lockoutMs - 1);
    expect((await onOther('saburo', passwords.saburo ?? '')).status).toBe(401);
    clock.advance(1);
    expect((await onOther('saburo', passwords.saburo ?? '')).status).toBe(303);
    expect(await account('saburo')).toMatchObject({ failedCount: 0, lockoutUntil: null });
  });
});

describe('concurrent OTP guesses: each is counted in the same atomic step as its comparison', () => {
  const maxAttempts = 5;
  let karaden: FakeKaraden;
  let gw: TestGateway;
  let other: TestGateway;
  let password: string;

  beforeAll(async () => {
    karaden = await startFakeKaraden();
    const config = {
      backends: { bk03: { url: 'http://127.0.0.1:9' } },
      sms: {
        provider: 'karaden',
        karaden: karadenSettings(karaden),
      },
      otp: { maxAttempts, resendCooldownSeconds: 0, maxSendsPerWindow: 100 },
      password: { ipMaxAttempts: 1000 },
    };
    gw = await startGateway({ config });
    other = await startGateway({ config, sharedWith: gw });
    await setRules(gw, '/bk03/=ALL;;SMSOTP');
    password = await addUser(gw, 'taro', { phone: '+819012345678' });
  });
  afterAll(async () => {
    await other?.close();
    await gw?.close();
    await karaden?.close();
  });

  it('50 wrong codes at once on two gateways get maxAttempts comparisons; the right code after them is refused', async () => {
    const client = new FormClient(gw.url);
    const login = await client.login('taro', password, '/bk03/report');
    expect(login.status).toBe(303);
    const chooser = await client.get(String(login.headers.location));
    const otpPage = await client.get(String(chooser.headers.location));
    expect(otpPage.status).toBe(200);
    const code = codeIn(String(karaden.received.at(-1)?.message.body));
    const wrong = code === '000000' ? '111111' : '000000';
    const onOther = new FormClient(other.url);
    for (const [name, value] of client.cookies) onOther.cookies.set(name, value);
    const form = (otp: string) => ({ _csrf: csrfField(otpPage.body), next: '/bk03/report', otp });

    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 === 0 ? client : onOther).post('/_sekisho/mfa/SMSOTP', form(wrong)),
      ),
    );
    expect(answers.filter((answer) => answer.headers.location === '/bk03/report')).toEqual([]);
    expect(answers.filter((answer) => answer.status === 429)).toEqual([]);
    const { rows } = await gw.runtime.pool.query<{ reason: string; left: number | null }>(
      `SELECT detail->>'reason' AS reason, (detail->>'attemptsLeft')::int AS left FROM audit_events
       WHERE event = 'SMSOTP.check' AND user_id = 'taro'`,
    );
    // Each comparison took its own attempt: one answer per count left, the last one killed it.
    const compared = rows.filter((row) => row.reason === 'wrong-code').map((row) => row.left);
    expect(compared.sort()).toEqual([1, 2, 3, 4]);
    expect(rows.filter((row) => row.reason === 'exhausted').length).toBeGreaterThanOrEqual(1);

    const late = await client.post('/_sekisho/mfa/SMSOTP', form(code));
    expect(late.status).not.toBe(303);
    expect((await client.get('/bk03/report')).status).toBe(302);
  });
});
