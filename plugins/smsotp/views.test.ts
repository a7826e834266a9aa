import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { describe, expect, it } from 'vitest';
import { fill } from '../../src/plugin-api.ts';
import { DEFAULT_SHELL, localShell } from '../../test/fakes/page-shell.ts';
import { coreMessages } from '../../test/fakes/core-pages.ts';
import { messages } from './messages.ts';
import { OTP_TEMPLATE } from './otp-page.ts';
import { SANDBOX_TEMPLATE } from './routes/sandbox-routes.ts';

// Rendered the way the core renders plugin views: Eta rooted at the project root, autoEscape on,
// the core's strings as `t`, the page shell and the catalogues' `fill`.
const eta = new Eta({ views: fileURLToPath(new URL('../../', import.meta.url)), autoEscape: true });

const otpData = {
  maskedPhone: '090-****-5678',
  expiresAt: 0,
  secondsLeft: 299,
  expiresClock: '16:05:00',
  resendAvailableIn: 0,
  resendClock: '16:00:30',
  codeLength: 6,
};

function renderOtp(
  locale: 'ja' | 'en',
  data: Record<string, unknown>,
  messageKey: string | null = null,
  extra: Record<string, unknown> = {},
): string {
  return eta.render(`./${OTP_TEMPLATE}`, {
    locale,
    fill,
    shell: localShell(DEFAULT_SHELL, locale),
    title: messages[locale].title,
    t: coreMessages[locale],
    pt: messages[locale],
    data,
    messageKey,
    csrf: 'tok"<en>',
    next: '/bk01/?a=1&b=2',
    action: '/_sekisho/mfa/SMSOTP',
    loginUrl: '/_sekisho/login?next=%2Fbk01%2F',
    reason: null,
    ...extra,
  });
}

describe('OTP page', () => {
  it('is the IceWall screen: lead, masked number, OTP field, submit and resend', () => {
    const html = renderOtp('ja', otpData);
    expect(html).toContain('以下の電話番号へワンタイムパスワード通知メッセージを送信しました。');
    expect(html).toContain('<p class="step-phone" id="sms-phone">090-****-5678</p>');
    expect(html).toMatch(
      /<input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" pattern="\[0-9\]\*" maxlength="6" required autofocus>/,
    );
    expect(html).toContain('<input type="hidden" name="resend" value="1">');
    expect(html).toMatch(/<button type="submit" id="resend" class="secondary"[^>]*>再送<\/button>/);
    expect(html).toMatch(/有効期限: <span id="otp-time-left" role="timer"[^>]*>あと 4分59秒<\/span>/);
    expect(html).toContain('<span id="otp-until">（16:05:00 まで）</span>');
    expect(html).toContain(
      '<a id="back-to-login" href="/_sekisho/login?next=%2Fbk01%2F">ログイン画面に戻る</a>',
    );
    expect(html).toContain('<title>ワンタイムパスワード入力 — ');
  });

  it('puts the anti-CSRF field and next in both forms, escaped, posting to the action', () => {
    const html = renderOtp('ja', otpData);
    const forms = html.match(/<form[\s\S]*?<\/form>/g) ?? [];
    expect(forms).toHaveLength(2);
    for (const form of forms) {
      expect(form).toContain('method="post" action="/_sekisho/mfa/SMSOTP"');
      expect(form).toContain('<input type="hidden" name="_csrf" value="tok&quot;&lt;en&gt;">');
      expect(form).toContain('<input type="hidden" name="next" value="/bk01/?a=1&amp;b=2">');
    }
  });

  it('loads its only script from a file (CSP script-src self) and sets no inline style or handler', () => {
    const html = renderOtp('ja', { ...otpData, notice: 'resent' }, 'wrongCode');
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="/_sekisho/static/steps.js" defer>']);
    expect(html).not.toMatch(/style=|\son[a-z]+=/i);
  });

  it("counts down and holds the resend button in the page's own words, with the times written out", () => {
    const html = renderOtp('ja', { ...otpData, resendAvailableIn: 30 });
    expect(html).toContain('data-sekisho-countdown="299" data-sekisho-format="あと {minutes}分{seconds}秒"');
    expect(html).toContain('data-sekisho-over="有効期限が切れました。再送してください。"');
    expect(html).toContain('<p class="muted" id="resend-wait">再送は 16:00:30 以降にできます。</p>');
    expect(html).toContain('data-sekisho-enable-in="30" data-sekisho-note="resend-wait"');
    // Without a help-desk line the page says whom to ask all the same.
    expect(html).toContain('お困りの場合は、システム管理者にお問い合わせください。');
  });

  it('says why a step-up asks, and names the help desk when one is configured', () => {
    const shell = localShell(
      { ...DEFAULT_SHELL, helpDesk: { ja: '情報システム部 内線 1234', en: 'IT desk, ext. 1234' } },
      'en',
    );
    const reason = 'Entering the admin console needs one more proof of who you are.';
    const html = renderOtp('en', otpData, null, { reason, shell });
    expect(html).toContain(`<p class="step-reason" id="step-reason">${reason}</p>`);
    expect(html).toContain('Need help? Contact IT desk, ext. 1234.');
  });

  it('says the code has expired once no time is left', () => {
    expect(renderOtp('en', { ...otpData, secondsLeft: 0 })).toMatch(
      /<span id="otp-time-left"[^>]*>It has expired\. Please resend\.<\/span>/,
    );
  });

  it('shows a wrong code with the attempts left, and the cooldown with its seconds', () => {
    const wrong = renderOtp('ja', { ...otpData, attemptsLeft: 3 }, 'wrongCode');
    expect(wrong).toContain(
      '<p class="error" role="alert">ワンタイムパスワードが正しくありません。あと 3 回入力できます。</p>',
    );
    const cooling = renderOtp('en', { ...otpData, notice: 'resendCooldown', resendAvailableIn: 20 });
    expect(cooling).toContain(
      'You can resend in 20 seconds. The one-time password already sent still works.',
    );
    expect(cooling).toMatch(
      /Valid for: <span[^>]*>4 min 59 s more<\/span> <span id="otp-until">\(until 16:05:00\)<\/span>/,
    );
    // The cooldown notice already says when: the second note is not shown.
    expect(cooling).not.toContain('id="resend-wait"');
  });
});

describe('sandbox page', () => {
  const render = (list: unknown[]) =>
    eta.render(`./${SANDBOX_TEMPLATE}`, {
      locale: 'ja',
      fill,
      shell: localShell(DEFAULT_SHELL, 'ja'),
      title: 'SMS',
      t: coreMessages.ja,
      pt: messages.ja,
      data: { messages: list },
    });

  it('lists the messages with number and body, escaped', () => {
    const html = render([
      {
        id: 'm1',
        to: '+819012345678',
        body: '<b>#123456</b>',
        at: '2026-01-01T00:00:00.000Z',
        time: '09:00:00',
      },
    ]);
    expect(html).toContain('<span class="sms-to">+819012345678</span>');
    expect(html).toContain('&lt;b&gt;#123456&lt;/b&gt;');
    expect(html).not.toContain('<form');
  });

  it('says so when there is nothing yet', () => {
    expect(render([])).toContain('まだメッセージはありません。');
  });
});

describe('messages', () => {
  it('has the same keys in Japanese and English, none empty', () => {
    expect(Object.keys(messages.en).sort()).toEqual(Object.keys(messages.ja).sort());
    for (const text of [...Object.values(messages.ja), ...Object.values(messages.en)])
      expect(text.trim()).not.toBe('');
  });

  it('has every key the plugin answers with, and the ones the core reads', () => {
    const keys = [
      'noPhone',
      'invalidNumber',
      'sendFailed',
      'sendInProgress',
      'tooManySends',
      'resendCooldown',
    ];
    keys.push(
      'resent',
      'emptyCode',
      'wrongCode',
      'expiredOrExhausted',
      'title',
      'methodName',
      'sandboxTitle',
    );
    for (const key of keys) expect(messages.ja).toHaveProperty(key);
    expect(messages.ja.expiredOrExhausted).toBe(
      'ワンタイムパスワードの有効期限が切れたか、入力回数の上限に達しました。最初からやり直してください。',
    );
  });
});
