import { afterEach, describe, expect, it } from 'vitest';
import type { StartResult, VerifyResult } from '../../src/plugin-api.ts';
import { buildSmsOtp, codeIn, TEST_USER } from '../../test/fakes/smsotp-harness.ts';
import type { Harness, HarnessOptions } from '../../test/fakes/smsotp-harness.ts';

// One harness per test; close() is idempotent, so a test may also close it early.
let h: Harness;
const build = async (options?: HarnessOptions) => (h = await buildSmsOtp(options));
afterEach(async () => h?.close());

function pageData(result: StartResult | VerifyResult): Record<string, unknown> {
  if (result.kind !== 'started' && result.kind !== 'wrong')
    throw new Error(`expected a page, got ${result.kind}`);
  expect(result.view.template).toBe('plugins/smsotp/views/otp');
  return result.view.data as Record<string, unknown>;
}

const sends = () => h.audits.filter((a) => a.event === 'send');

describe('SMSOTP start and verify (Karaden)', () => {
  it('sends a code, accepts it once, and treats a replay as dead', async () => {
    await build();
    const started = await h.start();
    const data = pageData(started);
    // Shown the way people write the number; the audit keeps the shapeless mask.
    expect(data).toMatchObject({ maskedPhone: '090-****-5678', secondsLeft: 300, resendAvailableIn: 30 });
    expect(data.expiresAt).toBe(h.clock.now() + 300_000);
    const code = codeIn(h.lastKaradenBody());
    expect(code).toMatch(/^\d{6}$/);

    expect(await h.verify(code)).toEqual({ kind: 'ok' });
    expect(await h.verify(code)).toEqual({ kind: 'dead', messageKey: 'expiredOrExhausted' });
    const messageId = h.karaden?.received[0]?.message.id;
    expect(sends()).toEqual([expect.objectContaining({ outcome: 'success', userId: 'taro' })]);
    expect(sends()[0]?.detail).toMatchObject({ provider: 'karaden', messageId, phone: '+********5678' });
    expect(h.audits.filter((a) => a.event === 'check').map((a) => a.outcome)).toEqual(['success', 'failure']);
  });

  it('never stores, audits or logs the code or the full number', async () => {
    await build();
    await h.start();
    const code = codeIn(h.lastKaradenBody());
    await h.verify('000000' === code ? '111111' : '000000');
    const internals = h.store as unknown as {
      values: Map<string, unknown>;
      challenges: Map<string, unknown>;
    };
    const everything = JSON.stringify([h.audits, h.logs, [...internals.values], [...internals.challenges]]);
    // As a token of its own: a MAC (base64url) or a timestamp may contain six digits by chance.
    expect(everything).not.toMatch(new RegExp(`(?<![\\w-])${code}(?![\\w-])`));
    expect(everything).not.toContain('9012345678');
  });

  it('shows the live page again without sending when not asked to resend', async () => {
    await build();
    await h.start();
    h.clock.advance(60_000);
    const again = pageData(await h.start());
    expect(again.secondsLeft).toBe(240);
    expect(h.karaden?.received).toHaveLength(1);
  });

  it('kills the challenge after maxAttempts wrong codes; the right code then fails', async () => {
    await build();
    await h.start();
    const code = codeIn(h.lastKaradenBody());
    const wrong = code === '999999' ? '999998' : '999999';
    for (const left of [4, 3, 2, 1]) {
      const result = await h.verify(wrong);
      expect(result).toMatchObject({ kind: 'wrong', messageKey: 'wrongCode' });
      expect(pageData(result).attemptsLeft).toBe(left);
    }
    expect(await h.verify(wrong)).toEqual({ kind: 'dead', messageKey: 'expiredOrExhausted' });
    expect(await h.verify(code)).toMatchObject({ kind: 'dead' });
  });

  it('counts malformed answers but not an empty one; accepts full-width digits', async () => {
    await build();
    await h.start();
    expect(await h.verify('  ')).toMatchObject({ kind: 'wrong', messageKey: 'emptyCode' });
    expect(pageData(await h.verify('12ab'))).toMatchObject({ attemptsLeft: 4 });
    const code = codeIn(h.lastKaradenBody());
    const fullWidth = [...code].map((d) => String.fromCharCode(0xff10 + Number(d))).join('');
    expect(await h.verify(` ${fullWidth} `)).toEqual({ kind: 'ok' });
  });

  it('lets the code expire with the clock, then sends a fresh one', async () => {
    await build();
    await h.start();
    const code = codeIn(h.lastKaradenBody());
    h.clock.advance(300_000);
    expect(await h.verify(code)).toMatchObject({ kind: 'dead' });
    expect(pageData(await h.start()).secondsLeft).toBe(300);
    expect(h.karaden?.received).toHaveLength(2);
  });

  it('refuses a resend within the cooldown (old code kept) and kills the old code after one', async () => {
    await build();
    await h.start();
    const oldCode = codeIn(h.lastKaradenBody());
    h.clock.advance(10_000);
    const refused = pageData(await h.start({ resend: true }));
    expect(refused).toMatchObject({ notice: 'resendCooldown', resendAvailableIn: 20 });
    expect(h.karaden?.received).toHaveLength(1);

    h.clock.advance(20_000);
    const resent = pageData(await h.start({ resend: true }));
    expect(resent).toMatchObject({ notice: 'resent', resendAvailableIn: 30, secondsLeft: 300 });
    const newCode = codeIn(h.lastKaradenBody());
    if (newCode !== oldCode) expect(await h.verify(oldCode)).toMatchObject({ kind: 'wrong' });
    expect(await h.verify(newCode)).toEqual({ kind: 'ok' });
  });

  it('caps sends per user per window, across flows', async () => {
    await build({ otp: { maxSendsPerWindow: 3, resendCooldownSeconds: 0 } });
    const windowStart = h.clock.now();
    expect((await h.start({ flowId: 'a' })).kind).toBe('started');
    h.clock.advance(600_000);
    for (const flowId of ['b', 'c']) expect((await h.start({ flowId })).kind).toBe('started');
    // The page can say when sending works again: an hour after the window's first send.
    expect(await h.start({ flowId: 'c', resend: true })).toEqual({
      kind: 'problem',
      messageKey: 'tooManySends',
      retry: true,
      retryAt: windowStart + 3600_000,
    });
    expect(h.karaden?.received).toHaveLength(3);
    expect(sends().at(-1)).toMatchObject({
      outcome: 'failure',
      detail: { reason: 'too-many-sends', cap: 'user' },
    });
    h.clock.advance(3000_000);
    expect((await h.start({ flowId: 'd' })).kind).toBe('started');
  });

  it('caps sends per phone number, whoever asks', async () => {
    await build({ otp: { maxSendsPerWindow: 2 } });
    const hanako = { ...TEST_USER, id: 'hanako' };
    await h.start({ flowId: 'a' });
    await h.start({ flowId: 'b' });
    expect(await h.start({ user: hanako, flowId: 'c' })).toMatchObject({
      kind: 'problem',
      messageKey: 'tooManySends',
    });
    expect(sends().at(-1)?.detail).toMatchObject({ cap: 'phone' });
  });

  it('caps sends for the whole gateway per minute (SMS pumping)', async () => {
    await build({ otp: { globalMaxSendsPerMinute: 3 } });
    const userN = (n: number) => ({ ...TEST_USER, id: `u${n}`, phone: `+8180000000${n}0` });
    for (const n of [1, 2, 3]) expect((await h.start({ user: userN(n) })).kind).toBe('started');
    expect(await h.start({ user: userN(4) })).toMatchObject({ kind: 'problem', messageKey: 'tooManySends' });
    expect(sends().at(-1)?.detail).toMatchObject({ cap: 'global' });
    h.clock.advance(60_000);
    expect((await h.start({ user: userN(5) })).kind).toBe('started');
  });

  it('sends only one code when the same flow is started twice at once', async () => {
    await build();
    const results = await Promise.all([h.start(), h.start()]);
    expect(results.map((r) => r.kind).sort()).toEqual(['problem', 'started']);
    expect(results).toContainEqual({ kind: 'problem', messageKey: 'sendInProgress', retry: true });
    expect(h.karaden?.received).toHaveLength(1);
  });
});

describe('SMSOTP text', () => {
  it('is Japanese by default, with the origin-bound line last', async () => {
    await build();
    await h.start();
    const body = h.lastKaradenBody();
    const code = codeIn(body);
    expect(body).toBe(
      `【関所】ワンタイムパスワードは ${code} です。有効期限は5分です。\n\n@sso.example.jp:8443 #${code}`,
    );
  });

  it('is English for locale en, and leaves a default port out of the host', async () => {
    await build({ publicUrl: 'https://sso.example.jp' });
    await h.start({ locale: 'en' });
    const body = h.lastKaradenBody();
    const code = codeIn(body);
    expect(body).toBe(`Sekisho one-time password: ${code}. Valid for 5 minutes.\n\n@sso.example.jp #${code}`);
  });

  it('uses a configured template, still ending with the origin-bound line', async () => {
    await build({ pluginConfig: { templates: { ja: '{host} の認証コード: {code}（{minutes}分）' } } });
    await h.start();
    const body = h.lastKaradenBody();
    const code = codeIn(body);
    expect(body).toBe(`sso.example.jp:8443 の認証コード: ${code}（5分）\n\n@sso.example.jp:8443 #${code}`);
  });

  it('says a code is for changing the phone number, in ja and en, with the same code line', async () => {
    await build({ otp: { length: 8 } });
    await h.start({ purpose: 'phone-change', flowId: 'me-phone:1' });
    const ja = h.lastKaradenBody();
    const jaCode = codeIn(ja);
    expect(ja).toBe(
      `【関所】電話番号変更の確認用ワンタイムパスワードは ${jaCode} です。有効期限は5分です。` +
        `お心当たりがない場合は誰にも教えず、ヘルプデスクにご連絡ください。\n\n@sso.example.jp:8443 #${jaCode}`,
    );
    expect(jaCode).toMatch(/^\d{8}$/);
    await h.start({ purpose: 'phone-change', flowId: 'me-phone:2', locale: 'en' });
    const en = h.lastKaradenBody();
    const enCode = codeIn(en);
    expect(en).toBe(
      `Sekisho one-time password to change your phone number: ${enCode}. Valid for 5 minutes. ` +
        `If you did not ask for this, share it with no one and contact the help desk.\n\n@sso.example.jp:8443 #${enCode}`,
    );
  });

  it('keeps the built-in phone-change text when login templates are configured', async () => {
    await build({ pluginConfig: { templates: { ja: '{host} の認証コード: {code}（{minutes}分）' } } });
    await h.start({ purpose: 'phone-change' });
    const body = h.lastKaradenBody();
    expect(body).toContain('電話番号変更の確認用ワンタイムパスワードは');
    expect(body).not.toContain('の認証コード');
    await h.start({ purpose: 'login', flowId: 'flow-2' });
    expect(h.lastKaradenBody()).toContain('の認証コード');
  });

  it('uses otp.length digits', async () => {
    await build({ otp: { length: 8 } });
    await h.start();
    expect(codeIn(h.lastKaradenBody())).toMatch(/^\d{8}$/);
  });
});
