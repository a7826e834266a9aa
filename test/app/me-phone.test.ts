import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, setRules } from '../support/gateway.ts';
import { buildTestApp, type TestApp } from '../support/test-app.ts';
import { provenClient } from '../support/me-session.ts';

/**
 * Changing my phone number at /_sekisho/me/phone: a fresh password AND a code sent to the OLD
 * number through the SMSOTP method (the sandbox provider here).
 */
describe('self-service: phone number', () => {
  let gw: TestApp;
  const passwords: Record<string, string> = {};
  const OLD = '+819012345678';
  const NEW = '+818087654321';

  beforeAll(async () => {
    gw = await buildTestApp({
      config: {
        // Only for a login code to compare with: nothing is ever proxied there.
        backends: { bk03: { url: 'http://127.0.0.1:9' } },
        sms: { provider: 'sandbox', sandbox: { enabled: true, page: true } },
        otp: { resendCooldownSeconds: 0, maxAttempts: 3, maxSendsPerWindow: 100 },
        password: { maxFailures: 3, ipMaxAttempts: 1000 },
      },
    });
    await setRules(gw, '/bk03/=ALL;;SMSOTP');
    for (const id of ['taro', 'jiro', 'guess', 'lock', 'dead', 'resend', 'hanako-ja', 'hanako-en'])
      passwords[id] = await addUser(gw, id, { phone: OLD });
    passwords.nophone = await addUser(gw, 'nophone');
    passwords.pushuser = await addUser(gw, 'pushuser');
  });
  afterAll(async () => {
    await gw?.close();
  });

  async function loggedIn(user: string): Promise<FormClient> {
    const client = new FormClient(gw.app);
    const answer = await client.login(user, passwords[user] ?? '', '/_sekisho/me');
    expect(answer.status).toBe(303);
    return client;
  }
  async function sandbox(): Promise<{ to: string; body: string }[]> {
    const answer = await new FormClient(gw.app).get('/_sekisho/sandbox/sms.json');
    return (JSON.parse(answer.body) as { messages: { to: string; body: string }[] }).messages;
  }
  const codeOf = (body: string) => /#(\d+)$/.exec(body)?.[1] ?? 'no-code';
  const phoneOf = async (user: string) => (await gw.runtime.gateway.users.find(user))?.phone;
  const audit = async (user: string, event: string) =>
    (
      await gw.runtime.pool.query<{ outcome: string; detail: Record<string, unknown> }>(
        'SELECT outcome, detail FROM audit_events WHERE user_id = $1 AND event = $2 ORDER BY id',
        [user, event],
      )
    ).rows;
  async function startChange(
    client: FormClient,
    password: string,
    phone = NEW,
    headers: Record<string, string> = {},
  ) {
    const form = await client.get('/_sekisho/me/phone', headers);
    expect(form.status).toBe(200);
    return client.post('/_sekisho/me/phone', { _csrf: csrfField(form.body), password, phone }, headers);
  }

  it('password, then the code sent to the OLD number, then the new number is in the auth DB', async () => {
    const client = await loggedIn('taro');
    const sent = (await sandbox()).length;
    const codePage = await startChange(client, passwords.taro ?? '', '080-8765-4321');
    expect(codePage.status).toBe(200);
    expect(codePage.body).toContain('電話番号変更の確認');
    expect(codePage.body).toContain('090-****-5678');
    expect(codePage.body).toContain('action="/_sekisho/me/phone/confirm"');
    const messages = await sandbox();
    expect(messages).toHaveLength(sent + 1);
    expect(messages[0]?.to).toBe(OLD);
    expect(messages[0]?.body).toContain('電話番号変更の確認用ワンタイムパスワード');
    expect(await phoneOf('taro')).toBe(OLD);

    const wrongCode = codeOf(messages[0]?.body ?? '') === '000000' ? '111111' : '000000';
    const wrong = await client.post('/_sekisho/me/phone/confirm', {
      _csrf: csrfField(codePage.body),
      otp: wrongCode,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('ワンタイムパスワードが正しくありません。あと 2 回');
    expect(await phoneOf('taro')).toBe(OLD);

    const done = await client.post('/_sekisho/me/phone/confirm', {
      _csrf: csrfField(codePage.body),
      otp: codeOf(messages[0]?.body ?? ''),
    });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/_sekisho/me?notice=phone-changed');
    expect(await phoneOf('taro')).toBe(NEW);
    expect((await client.get('/_sekisho/me')).body).toContain('********4321');

    // The code is single use, and the pending change is gone.
    const replay = await client.post('/_sekisho/me/phone/confirm', {
      _csrf: csrfField(codePage.body),
      otp: codeOf(messages[0]?.body ?? ''),
    });
    expect(replay.status).toBe(409);
    expect(await audit('taro', 'me.phone.code_sent')).toEqual([
      { outcome: 'info', detail: { to: '+********5678', newPhone: '+********4321', resend: false } },
    ]);
    expect(await audit('taro', 'me.phone.change')).toEqual([
      { outcome: 'success', detail: { from: '+********5678', to: '+********4321', confirmedBy: 'SMSOTP' } },
    ]);
    expect((await audit('taro', 'SMSOTP.check')).map((r) => r.outcome)).toEqual(['failure', 'success']);
  });

  it.each([
    [
      'ja',
      (code: string) =>
        `【関所】電話番号変更の確認用ワンタイムパスワードは ${code} です。有効期限は5分です。` +
        `お心当たりがない場合は誰にも教えず、ヘルプデスクにご連絡ください。\n\n@127.0.0.1:8080 #${code}`,
      (code: string) =>
        `【関所】ワンタイムパスワードは ${code} です。有効期限は5分です。\n\n@127.0.0.1:8080 #${code}`,
    ],
    [
      'en',
      (code: string) =>
        `Sekisho one-time password to change your phone number: ${code}. Valid for 5 minutes. ` +
        `If you did not ask for this, share it with no one and contact the help desk.\n\n@127.0.0.1:8080 #${code}`,
      (code: string) =>
        `Sekisho one-time password: ${code}. Valid for 5 minutes.\n\n@127.0.0.1:8080 #${code}`,
    ],
  ] as const)(
    'the SMS to the old number says it is for changing the number (%s); a login code keeps the login text',
    async (locale, changeText, loginText) => {
      const user = `hanako-${locale}`;
      const headers = { 'accept-language': locale };
      const client = await loggedIn(user);
      const codePage = await startChange(client, passwords[user] ?? '', NEW, headers);
      expect(codePage.status).toBe(200);
      const [change] = await sandbox();
      expect(change?.to).toBe(OLD);
      expect(change?.body).toBe(changeText(codeOf(change?.body ?? '')));
      // A resent code says so as well.
      await client.post(
        '/_sekisho/me/phone/confirm',
        { _csrf: csrfField(codePage.body), resend: '1' },
        headers,
      );
      const [resent] = await sandbox();
      expect(resent?.body).toBe(changeText(codeOf(resent?.body ?? '')));

      // The same user's login code on an SMSOTP path.
      const login = new FormClient(gw.app);
      expect((await login.login(user, passwords[user] ?? '', '/bk03/report')).status).toBe(303);
      const chooser = await login.get('/_sekisho/mfa?next=%2Fbk03%2Freport', headers);
      expect(chooser.status).toBe(303);
      const otpPage = await login.get(String(chooser.headers.location), headers);
      expect(otpPage.status).toBe(200);
      const [loginSms] = await sandbox();
      expect(loginSms?.to).toBe(OLD);
      expect(loginSms?.body).toBe(loginText(codeOf(loginSms?.body ?? '')));
    },
  );

  it('a wrong password sends nothing, counts as a failed login, and locks out like one', async () => {
    const client = await loggedIn('lock');
    const sent = (await sandbox()).length;
    const wrong = await startChange(client, 'not my password');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('パスワードが正しくないか、アカウントがロックされています。');
    expect((await gw.runtime.gateway.users.find('lock'))?.failedCount).toBe(1);
    expect((await audit('lock', 'login.password')).at(-1)).toMatchObject({
      outcome: 'failure',
      detail: { reason: 'wrong-password' },
    });
    expect(await audit('lock', 'me.phone.change')).toEqual([
      { outcome: 'failure', detail: { reason: 'wrong-password', password: 'wrong-password' } },
    ]);
    await startChange(client, 'still wrong');
    await startChange(client, 'wrong again');
    // Locked out now (password.maxFailures = 3): even the right password is refused.
    const locked = await startChange(client, passwords.lock ?? '');
    expect(locked.status).toBe(401);
    expect((await audit('lock', 'me.phone.change')).at(-1)?.detail).toEqual({
      reason: 'wrong-password',
      password: 'lockout',
    });
    expect(await sandbox()).toHaveLength(sent);
    expect(await phoneOf('lock')).toBe(OLD);
  });

  it('refuses a malformed number and my own number once the password is right', async () => {
    const client = await loggedIn('jiro');
    const bad = await startChange(client, passwords.jiro ?? '', 'call me maybe');
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('電話番号の形式が正しくありません。');
    expect(bad.body).toContain('value="call me maybe"');
    const same = await startChange(client, passwords.jiro ?? '', '090 1234 5678');
    expect(same.status).toBe(400);
    expect(same.body).toContain('現在と同じ電話番号です。');
    expect((await gw.runtime.gateway.users.find('jiro'))?.failedCount).toBe(0);
  });

  it('says nothing about the typed number before the password is right: no oracle for the number on record', async () => {
    const client = await loggedIn('guess');
    const wrongPassword = 'not my password';
    // The number on record, typed as a guesser would: the answer is the wrong-password page only.
    const current = await startChange(client, wrongPassword, '090 1234 5678');
    const other = await startChange(client, wrongPassword, NEW);
    for (const page of [current, other]) {
      expect(page.status).toBe(401);
      expect(page.body).toContain('パスワードが正しくないか、アカウントがロックされています。');
      expect(page.body).not.toContain('現在と同じ電話番号です。');
    }
    const malformed = await startChange(client, wrongPassword, 'call me maybe');
    expect(malformed.status).toBe(401);
    expect(malformed.body).not.toContain('電話番号の形式が正しくありません。');
    expect((await gw.runtime.gateway.users.find('guess'))?.failedCount).toBe(3);
    expect((await audit('guess', 'me.phone.change')).map((r) => r.detail.reason)).toEqual([
      'wrong-password',
      'wrong-password',
      'wrong-password',
    ]);
    expect(await phoneOf('guess')).toBe(OLD);
  });

  it('too many wrong codes kill the change: start over', async () => {
    const client = await loggedIn('dead');
    const codePage = await startChange(client, passwords.dead ?? '');
    const code = codeOf((await sandbox())[0]?.body ?? '');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; i++) {
      await client.post('/_sekisho/me/phone/confirm', { _csrf: csrfField(codePage.body), otp: wrong });
    }
    const late = await client.post('/_sekisho/me/phone/confirm', {
      _csrf: csrfField(codePage.body),
      otp: code,
    });
    expect(late.status).toBe(409);
    expect(late.body).toContain('/_sekisho/me/phone');
    expect(await phoneOf('dead')).toBe(OLD);
  });

  it('resend sends a fresh code to the old number; the earlier code dies', async () => {
    const client = await loggedIn('resend');
    const codePage = await startChange(client, passwords.resend ?? '');
    const first = codeOf((await sandbox())[0]?.body ?? '');
    const resent = await client.post('/_sekisho/me/phone/confirm', {
      _csrf: csrfField(codePage.body),
      resend: '1',
    });
    expect(resent.status).toBe(200);
    const [latest] = await sandbox();
    expect(latest?.to).toBe(OLD);
    const second = codeOf(latest?.body ?? '');
    if (first !== second) {
      const old = await client.post('/_sekisho/me/phone/confirm', {
        _csrf: csrfField(codePage.body),
        otp: first,
      });
      expect(old.status).toBe(401);
    }
    const done = await client.post('/_sekisho/me/phone/confirm', {
      _csrf: csrfField(codePage.body),
      otp: second,
    });
    expect(done.headers.location).toBe('/_sekisho/me?notice=phone-changed');
    expect(await phoneOf('resend')).toBe(NEW);
  });

  it('no phone yet and only a password proven: the help desk registers it, not the password alone', async () => {
    const client = await loggedIn('nophone');
    const form = await client.get('/_sekisho/me/phone');
    expect(form.body).toContain('ヘルプデスクにお問い合わせください');
    expect(form.body).not.toContain('id="me-phone-form"');
    const forced = await client.post('/_sekisho/me/phone', {
      _csrf: csrfField((await client.get('/_sekisho/logout')).body),
      password: passwords.nophone ?? '',
      phone: NEW,
    });
    expect(forced.status).toBe(400);
    expect(await phoneOf('nophone')).toBeNull();
    expect(await audit('nophone', 'me.phone.change')).toEqual([
      { outcome: 'failure', detail: { reason: 'not-allowed' } },
    ]);
  });

  it('no phone yet, but a push login proven: the password suffices to add one', async () => {
    const client = await provenClient(gw, gw.app, 'pushuser', 'MAMORU');
    const sent = (await sandbox()).length;
    // E.164 with the domestic trunk 0 kept, as people often write it: the console's rule applies here too.
    const done = await startChange(client, passwords.pushuser ?? '', '+81 080-8765-4321');
    expect(done.status).toBe(303);
    expect(await phoneOf('pushuser')).toBe(NEW);
    expect(await sandbox()).toHaveLength(sent);
    expect(await audit('pushuser', 'me.phone.change')).toEqual([
      { outcome: 'success', detail: { from: null, to: '+********4321', confirmedBy: 'recent-proof' } },
    ]);
  });
});
