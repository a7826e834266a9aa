import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { describe, expect, it } from 'vitest';
import { fill } from '../../src/plugin-api.ts';
import { DEFAULT_SHELL, localShell } from '../../test/fakes/page-shell.ts';
import { coreMessages } from '../../test/fakes/core-pages.ts';
import { messages } from './messages.ts';
import { WAIT_TEMPLATE } from './wait-page.ts';

// Rendered the way the core renders plugin views: Eta rooted at the project root, autoEscape on,
// the core's strings as `t`, the page shell and the catalogues' `fill`.
const eta = new Eta({ views: fileURLToPath(new URL('../../', import.meta.url)), autoEscape: true });

const waitData = {
  number: 42,
  expiresAt: 1_767_225_660_000,
  secondsLeft: 75,
  tokenFields: ['push_token1', 'push_token2'],
};

function renderWait(
  locale: 'ja' | 'en',
  data: Record<string, unknown> = waitData,
  messageKey: string | null = null,
  extra: Record<string, unknown> = {},
): string {
  return eta.render(`./${WAIT_TEMPLATE}`, {
    locale,
    fill,
    shell: localShell(DEFAULT_SHELL, locale),
    title: messages[locale].title,
    t: coreMessages[locale],
    pt: messages[locale],
    data,
    messageKey,
    csrf: 'tok"<en>',
    next: '/bk02/?a=1&b=2',
    action: '/_sekisho/mfa/MAMORU',
    username: 'taro"<x>',
    statusUrl: '/_sekisho/mfa/MAMORU/status',
    loginUrl: '/_sekisho/login?next=%2Fbk02%2F',
    startedFromId: true,
    reason: null,
    ...extra,
  });
}

const formsOf = (html: string) => html.match(/<form[\s\S]*?<\/form>/g) ?? [];

describe('wait page', () => {
  it('shows the number to pick, large and by id, and the time left', () => {
    const html = renderWait('ja');
    expect(html).toContain(
      '<p class="push-number" id="push-number" aria-labelledby="push-number-label">42</p>',
    );
    expect(html).toContain('下の番号と同じ番号を選んで承認してください。');
    expect(html).toMatch(/有効期限: <span id="push-time-left"[^>]*>あと 1分15秒<\/span>/);
    // The countdown script starts from the server's seconds and speaks the page's own words.
    expect(html).toContain('data-sekisho-countdown="75"');
    expect(html).toContain('data-sekisho-format="あと {minutes}分{seconds}秒"');
    expect(html).toContain('data-sekisho-expires-at="1767225660000"');
    // Titled by what it asks, not by a product's name.
    expect(html).toContain('<title>スマートフォンで承認 — ');
  });

  it('polls from a form that posts the ID, next, the anti-CSRF field and empty token fields', () => {
    const html = renderWait('ja');
    const [poll] = formsOf(html);
    expect(poll).toContain(
      '<form method="post" action="/_sekisho/mfa/MAMORU" data-sekisho-poll="/_sekisho/mfa/MAMORU/status"',
    );
    expect(poll).toContain('<input type="hidden" name="_csrf" value="tok&quot;&lt;en&gt;">');
    expect(poll).toContain('<input type="hidden" name="next" value="/bk02/?a=1&amp;b=2">');
    expect(poll).toContain('<input type="hidden" name="username" value="taro&quot;&lt;x&gt;">');
    expect(poll).toContain('<input type="hidden" name="push_token1" value="">');
    expect(poll).toContain('<input type="hidden" name="push_token2" value="">');
    expect(html).toMatch(/<p class="muted" id="push-waiting" role="status" aria-live="polite">/);
  });

  it('keeps the no-JavaScript button inside <noscript>, and an empty place for the final state', () => {
    const html = renderWait('ja');
    const noscript = /<noscript>([\s\S]*?)<\/noscript>/.exec(html)?.[1] ?? '';
    expect(noscript).toContain(
      '<button type="submit" id="push-approved">スマートフォンで承認しました</button>',
    );
    expect(html.replace(/<noscript>[\s\S]*?<\/noscript>/, '')).not.toContain('push-approved');
    expect(html).toContain(
      '<div id="push-end" data-sekisho-poll-end data-approved="承認されました。ログインしています…" hidden></div>',
    );
    // What a final state hides: the number, the time and the buttons.
    const live = html.match(/<div[^>]*data-sekisho-live>[\s\S]*?<\/div>/g) ?? [];
    expect(live.join('')).toContain('id="push-number"');
    expect(live.join('')).toContain('id="push-time-left"');
    expect(live.join('')).toContain('id="push-resend"');
  });

  it('offers a resend form and a way to use another ID', () => {
    const html = renderWait('en');
    const forms = formsOf(html);
    expect(forms).toHaveLength(2);
    const resend = forms[1] ?? '';
    expect(resend).toContain('method="post" action="/_sekisho/mfa/MAMORU"');
    expect(resend).not.toContain('data-sekisho-poll');
    for (const field of ['_csrf', 'next', 'username']) expect(resend).toContain(`name="${field}"`);
    expect(resend).toContain('<input type="hidden" name="resend" value="1">');
    expect(resend).toContain('>Send the push again</button>');
    expect(html).toContain(
      '<a href="/_sekisho/mfa/MAMORU?next=%2Fbk02%2F%3Fa%3D1%26b%3D2&amp;restart=1" id="push-another-id">Use another ID</a>',
    );
    // The core's own restart URL, when it gives one, wins.
    const given = renderWait('en', waitData, null, { restartUrl: '/_sekisho/mfa/MAMORU?next=%2F&restart=1' });
    expect(given).toContain('<a href="/_sekisho/mfa/MAMORU?next=%2F&amp;restart=1" id="push-another-id">');
    // A step-up has no ID to change: the way back is the login page.
    const stepUp = renderWait('en', waitData, null, { startedFromId: false, reason: 'Why' });
    expect(stepUp).not.toContain('push-another-id');
    expect(stepUp).toContain('<p class="step-reason" id="step-reason">Why</p>');
    expect(stepUp).toContain(
      '<a id="back-to-login" href="/_sekisho/login?next=%2Fbk02%2F">Back to the login page</a>',
    );
  });

  it('loads its scripts from files (CSP script-src self) and sets no inline style or handler', () => {
    const html = renderWait('ja', { ...waitData, notice: 'resent' }, 'notYet');
    expect(html.match(/<script[^>]*>/g)).toEqual([
      '<script src="/_sekisho/static/steps.js" defer>',
      '<script src="/_sekisho/static/wait.js" defer>',
    ]);
    expect(html).not.toMatch(/style=|\son[a-z]+=/i);
  });

  it('shows the message and the notice', () => {
    const html = renderWait('ja', { ...waitData, notice: 'resent' }, 'notYet');
    expect(html).toContain(`<p class="error" role="alert">${messages.ja.notYet}</p>`);
    expect(html).toContain(`<p class="info" role="status">${messages.ja.resent}</p>`);
  });

  it('asks only to approve when there is no number to match', () => {
    const html = renderWait('en', { ...waitData, number: null });
    expect(html).not.toContain('id="push-number"');
    expect(html).toContain(messages.en.approveInstruction);
  });
});

describe('messages', () => {
  it('has the same keys in Japanese and English, none empty', () => {
    expect(Object.keys(messages.en).sort()).toEqual(Object.keys(messages.ja).sort());
    for (const text of [...Object.values(messages.ja), ...Object.values(messages.en)])
      expect(text.trim()).not.toBe('');
  });

  it('has every key the plugin answers with, and the ones the core reads', () => {
    const answered = ['busy', 'unavailable', 'denied', 'wrongNumber', 'expired', 'alreadyUsed', 'notYet'];
    const read = ['title', 'methodName', 'resent', 'verifyFailed', 'noDevice', 'approved'];
    for (const key of [...answered, ...read]) expect(messages.ja).toHaveProperty(key);
    expect(messages.ja.noDevice).toContain('スマートフォンが登録されていません');
    expect(messages.en.methodName).toBe('Approve on my phone');
    expect(messages.ja.methodName).toBe('スマートフォンで承認');
  });
});
