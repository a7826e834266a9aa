import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfField, type FormClient } from '../support/browser-client.ts';
import { addUser, setRules } from '../support/gateway.ts';
import type { TestApp } from '../support/test-app.ts';
import { tokyoDateTime } from '../support/admin-console-checks.ts';
import {
  addAdmin,
  auditRows,
  buildConsoleApp,
  consoleClient,
  unescapeHtml,
} from '../support/admin-harness.ts';

const RULES = '/_sekisho/admin/rules';
const en = { 'accept-language': 'en' };
const ja = { 'accept-language': 'ja' };

/**
 * "Nobody gets stuck", for admins: the console refuses a rule naming a user or group that does not
 * exist (with "did you mean", beside the field, in the page's language) unless the admin ticks the
 * override; the picker's methods become the rule's; each rule is summarised in words; the history
 * shows what each change changed; an admin cannot take their own console access away through
 * their groups; a push device's registration is issued as a QR code; audit rows in words and zone.
 */
describe('admin console: rule checks, summaries, history diff, own groups, push enrolment', () => {
  let gw: TestApp;
  let boss: FormClient;

  beforeAll(async () => {
    gw = await buildConsoleApp({ config: { backends: { bk01: { url: 'http://127.0.0.1:9' } } } });
    boss = await consoleClient(gw, 'boss', await addAdmin(gw, 'boss'));
    await addUser(gw, 'taro', { groups: ['keiri'], phone: '+819033334444' });
  });
  afterAll(async () => {
    await gw?.close();
  });

  const stored = async () => (await gw.runtime.gateway.ruleRepository.list()).map((r) => r.line).sort();

  async function submit(form: Record<string, string>, headers = en, page = RULES, action = RULES) {
    const token = csrfField((await boss.get(page, headers)).body);
    const answer = await boss.post(action, { _csrf: token, ...form }, headers);
    return { status: answer.status, body: unescapeHtml(answer.body), location: answer.headers.location };
  }

  const fieldError = (body: string, field: string) =>
    new RegExp(`id="rule-${field}-error" class="field-error error">([^<]*)<`).exec(body)?.[1] ?? null;

  it('refuses @admin and a group written without @, saying what was meant beside the field, in English and Japanese', async () => {
    const before = await stored();
    const typo = await submit({ prefix: '/bk01/', allow: '@admin', deny: '', methods: 'SMSOTP' });
    expect(typo.status).toBe(400);
    expect(fieldError(typo.body, 'allow')).toBe('there is no group "@admin". Did you mean "@admins"?');
    expect(typo.body).toContain('The rule names a user or group that does not exist.');
    // What was typed stays, and the override is offered.
    expect(typo.body).toContain('id="rule-allow" name="allow" value="@admin"');
    expect(typo.body).toContain('name="allowUnknown" value="1"');

    const bare = await submit({ prefix: '/bk01/', allow: 'keiri', deny: 'jiro', methods: '' }, ja);
    expect(bare.status).toBe(400);
    expect(fieldError(bare.body, 'allow')).toBe('ユーザー「keiri」は存在しません。「@keiri」のことですか?');
    expect(fieldError(bare.body, 'deny')).toBe('ユーザー「jiro」は存在しません。');
    expect(bare.body).toContain('存在しないユーザーまたはグループが指定されています。');
    expect(await stored()).toEqual(before);
    expect(await auditRows(gw, 'rule.set')).toEqual([]);
  });

  it('saves an unknown name when the admin ticks the override, and keeps the name in the audit row', async () => {
    const saved = await submit({
      prefix: '/bk01/soumu/',
      allow: '@soumu',
      deny: '',
      methods: '',
      allowUnknown: '1',
    });
    expect(saved.status).toBe(303);
    expect(await stored()).toContain('/bk01/soumu/=@soumu;;');
    const [row] = await auditRows(gw, 'rule.set');
    expect(row).toMatchObject({
      actor: 'boss',
      detail: { rule: '/bk01/soumu/=@soumu;;', unknownPrincipals: ['@soumu'] },
    });
    // The list flags it until the group exists.
    const listed = (await boss.get(RULES, en)).body;
    expect(unescapeHtml(listed)).toContain('@soumu does not exist in the auth DB (deleted, or misspelt).');
    await gw.admin.addGroup('soumu', 'test');
    expect(unescapeHtml((await boss.get(RULES, en)).body)).not.toContain('@soumu does not exist');
  });

  it('refuses an unknown name typed in the rule-line form beside that field; the edit form checks too', async () => {
    const line = await submit({ line: '/bk01/pay/=@keiry;;SMSOTP' });
    expect(line.status).toBe(400);
    expect(fieldError(line.body, 'line')).toBe('there is no group "@keiry". Did you mean "@keiri"?');
    expect(line.body).toContain('id="rule-line" name="line" value="/bk01/pay/=@keiry;;SMSOTP"');
    // The field form beside it is as fresh, carrying no error of the line's.
    expect(line.body).toContain('id="rule-allow" name="allow" value="ALL"');
    expect(fieldError(line.body, 'allow')).toBeNull();
    expect(line.body).toContain('id="line-allow-unknown"');
    expect(await stored()).not.toContain('/bk01/pay/=@keiry;;SMSOTP');
    const added = await submit({ line: '/bk01/pay/=@keiri;;SMSOTP' });
    expect(added.status).toBe(303);

    const editPage = `${RULES}/edit?prefix=${encodeURIComponent('/bk01/pay/')}`;
    const version = /name="version" value="(\d+)"/.exec((await boss.get(editPage, en)).body)?.[1] ?? '';
    const edit = { prefix: '/bk01/pay/', version, allow: '@keiri,tar', deny: '', methods: 'SMSOTP' };
    const refused = await submit(edit, en, editPage, `${RULES}/edit`);
    expect(refused.status).toBe(400);
    expect(fieldError(refused.body, 'allow')).toBe('there is no user "tar". Did you mean "taro"?');
  });

  it('puts grammar errors beside their field in the page language', async () => {
    const jaForm = await submit(
      { prefix: '/bk01/q/', allow: 'ALL', deny: '', methods: 'FOO', reauth: '15x' },
      ja,
    );
    expect(jaForm.status).toBe(400);
    // The service stops at the first bad field; that one is told in Japanese.
    expect(fieldError(jaForm.body, 'methods')).toBe('認証方式「FOO」はこのゲートウェイにありません。');
    expect(jaForm.body).toContain(
      '保存できませんでした: <span class="refusal">rule: methods: 認証方式「FOO」はこのゲートウェイにありません。</span>',
    );
    const enForm = await submit({ prefix: '/bk01/q/', allow: 'ALL', deny: '', methods: 'FOO' }, en);
    expect(fieldError(enForm.body, 'methods')).toBe('unknown method "FOO"');
  });

  it('takes the methods from the picker, with all or any; a picker and a typed field that disagree are refused at methods', async () => {
    const any = await submit({
      prefix: '/bk01/a/',
      allow: 'ALL',
      deny: '',
      methods: '',
      method: 'SMSOTP',
      combine: 'any',
    });
    expect(any.status).toBe(303);
    expect(await stored()).toContain('/bk01/a/=ALL;;SMSOTP');
    const agreeing = await submit({
      prefix: '/bk01/b/',
      allow: 'ALL',
      deny: '',
      methods: 'smsotp',
      method: 'SMSOTP',
    });
    expect(agreeing.status).toBe(303);
    const disagreeing = await submit({
      prefix: '/bk01/c/',
      allow: 'ALL',
      deny: '',
      methods: 'BYPASS',
      method: 'SMSOTP',
    });
    expect(disagreeing.status).toBe(400);
    expect(fieldError(disagreeing.body, 'methods')).toBe(
      'the boxes ticked (SMSOTP) and the field (BYPASS) disagree; use one or the other.',
    );
    expect(await stored()).not.toContain('/bk01/c/=ALL;;BYPASS');
  });

  it('shows each rule in words beside its line, in Japanese and English', async () => {
    await setRules(
      gw,
      '/bk01/=@keiri;;SMSOTP',
      '/bk01/x/=ALL;taro;SMSOTP|TOTP;reauth=15m',
      '/bk01/pub/=ALL;;BYPASS',
    );
    const summary = (body: string, prefix: string) =>
      new RegExp(`data-prefix="${prefix}"[\\s\\S]*?class="summary-text">([^<]*)<`).exec(
        unescapeHtml(body),
      )?.[1];
    const jaPage = (await boss.get(RULES, ja)).body;
    expect(summary(jaPage, '/bk01/')).toBe('/bk01/ は @keiri グループのみ、パスワード＋SMS認証');
    expect(summary(jaPage, '/bk01/x/')).toBe(
      '/bk01/x/ は すべてのユーザー(ユーザー「taro」を除く)、パスワード＋SMS認証 または パスワード＋認証アプリ。15分ごとに認証し直し',
    );
    expect(summary(jaPage, '/bk01/pub/')).toBe('/bk01/pub/ は すべてのユーザー、認証なしで公開');
    expect(summary(jaPage, '/_sekisho/admin/')).toBe(
      '/_sekisho/admin/ は @admins グループのみ、パスワード＋SMS認証',
    );
    const enPage = (await boss.get(RULES, en)).body;
    expect(summary(enPage, '/bk01/')).toBe('/bk01/: only group @keiri; password + SMS code');
    expect(summary(enPage, '/bk01/x/')).toBe(
      '/bk01/x/: everyone (except user taro); password + SMS code or password + authenticator app. Proven again every 15 min',
    );
  });

  it('shows in the history what each change changed: the line before and after, field by field', async () => {
    await setRules(gw, '/bk01/diff/=ALL;;');
    await setRules(gw, '/bk01/diff/=@keiri;;SMSOTP');
    await gw.admin.deleteRule('/bk01/diff/', 'test');
    const page = unescapeHtml((await boss.get('/_sekisho/admin/rules/history', en)).body);
    const [deleted, edited, created] = [...page.matchAll(/<tr data-version="\d+">([\s\S]*?)<\/tr>/g)]
      .map((m) => m[1] ?? '')
      .filter((row) => row.includes('/bk01/diff/'));
    expect(deleted).toContain(
      '<span class="tag">deleted</span> <del class="before"><code>/bk01/diff/=@keiri;;SMSOTP</code></del>',
    );
    expect(edited).toContain('<del class="before"><code>/bk01/diff/=ALL;;</code></del>');
    expect(edited).toContain('<ins class="after"><code>/bk01/diff/=@keiri;;SMSOTP</code></ins>');
    expect(edited).toContain(
      '<li data-field="allow"><code>allow</code>: <del>ALL</del> → <ins>@keiri</ins></li>',
    );
    expect(edited).toContain(
      '<li data-field="methods"><code>methods</code>: <del>—</del> → <ins>SMSOTP</ins></li>',
    );
    expect(created).toContain(
      '<span class="tag">created</span> <ins class="after"><code>/bk01/diff/=ALL;;</code></ins>',
    );
  });

  it('refuses an admin removing their own admins group, in their language; another admin may; adding one is fine', async () => {
    const own = '/_sekisho/admin/user?id=boss';
    const profile = { user: 'boss', name: 'Boss', email: '', phone: '+819011112222' };
    const dropped = await submit({ ...profile, groups: 'keiri' }, ja, own, '/_sekisho/admin/user/profile');
    expect(dropped.status).toBe(400);
    expect(dropped.body).toContain(
      'groups: この変更を行うと、あなたはコンソールを使えなくなります(あなたが許可されません)',
    );
    expect((await gw.runtime.gateway.users.find('boss'))?.groups).toEqual(['admins']);
    expect(await auditRows(gw, 'user.update')).toEqual([]);

    const kept = await submit({ ...profile, groups: 'admins' }, en, own, '/_sekisho/admin/user/profile');
    expect(kept.status).toBe(303);
    // Another admin can take it away: that is an admin's decision about someone else.
    const other = await consoleClient(
      gw,
      'kanri',
      await addAdmin(gw, 'kanri', '+819055556666'),
      '+819055556666',
    );
    const page = await other.get('/_sekisho/admin/user?id=boss', en);
    const byOther = await other.post(
      '/_sekisho/admin/user/profile',
      { _csrf: csrfField(page.body), ...profile, groups: 'keiri' },
      en,
    );
    expect(byOther.status).toBe(303);
    expect((await gw.runtime.gateway.users.find('boss'))?.groups).toEqual(['keiri']);
    // Back in admins, with a new password; the sessions the change ends are ended before boss logs in again.
    const password = 'pw-boss-again-1';
    await gw.admin.updateUser('boss', { groups: ['admins'], password }, 'test');
    await gw.runtime.watcher.poll();
    boss = await consoleClient(gw, 'boss', password);
  });

  it('judges your own groups by the console rule in force: leaving admins is fine while another group it admits remains', async () => {
    const own = '/_sekisho/admin/user?id=boss';
    const profile = { user: 'boss', name: 'Boss', email: '', phone: '+819011112222' };
    await gw.admin.addGroup('helpdesk', 'test');
    await setRules(gw, '/_sekisho/admin/=@admins,@helpdesk;;SMSOTP');
    const relogin = async (groups: string[], password: string) => {
      await gw.admin.updateUser('boss', { groups, password }, 'test');
      await gw.runtime.watcher.poll();
      boss = await consoleClient(gw, 'boss', password);
    };
    await relogin(['admins', 'helpdesk'], 'pw-boss-helpdesk-1');
    const left = await submit({ ...profile, groups: 'helpdesk' }, en, own, '/_sekisho/admin/user/profile');
    expect(left.status).toBe(303);
    expect((await gw.runtime.gateway.users.find('boss'))?.groups).toEqual(['helpdesk']);
    // The default console rule back, and boss in admins again, for the tests below.
    await gw.admin.deleteRule('/_sekisho/admin/', 'test');
    await relogin(['admins'], 'pw-boss-again-2');
  });

  it("issues a push device's registration as a QR code drawn in the page, once, audited, behind the CSRF check", async () => {
    const page = await boss.get('/_sekisho/admin/user?id=taro', ja);
    expect(page.body).toContain('端末登録用の QR コードを発行');
    const issued = await boss.post(
      '/_sekisho/admin/user/push-enrol',
      { _csrf: csrfField(page.body), user: 'taro' },
      ja,
    );
    expect(issued.status).toBe(200);
    const body = unescapeHtml(issued.body);
    const url = /id="push-url">([^<]+)</.exec(body)?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/[^/]+\/_sekisho\/push\/app#activate=[A-Za-z0-9_-]{43}$/);
    expect(body).toMatch(
      /<div class="push-qr" id="push-qr" role="img" aria-label="[^"]+"><svg xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
    expect(body).toContain('端末登録用の QR コードを発行しました(1回限り、');
    const [row] = await auditRows(gw, 'push.activation_created');
    expect(row).toMatchObject({ userId: 'taro', actor: 'boss', ip: '127.0.0.1' });
    // The code is in the page once, never in the audit trail.
    expect(JSON.stringify(row)).not.toContain(url.split('#activate=')[1]);
    // Shown once: the user's page does not show it again.
    expect((await boss.get('/_sekisho/admin/user?id=taro', ja)).body).not.toContain('id="push-url"');

    const forged = await boss.post('/_sekisho/admin/user/push-enrol', { _csrf: 'forged', user: 'taro' }, ja);
    expect(forged.status).toBe(403);
    expect(await auditRows(gw, 'push.activation_created')).toHaveLength(1);
  });

  it('names audit events in words with the recorded name beside them, at times in the configured zone', async () => {
    const body = unescapeHtml(
      (await boss.get('/_sekisho/admin/audit?event=push.activation_created', ja)).body,
    );
    expect(body).toContain('時刻(Asia/Tokyo)');
    const [row] = await auditRows(gw, 'push.activation_created');
    const tokyo = tokyoDateTime(row?.at);
    expect(body).toContain(`<time datetime="${row?.at.toISOString()}">${tokyo}</time>`);
    expect(body).toMatch(
      /<td class="event">プッシュ端末の登録用 QR コードの発行<br><code class="muted" title="記録名">push.activation_created<\/code>/,
    );
    // An event the console has no words for is shown as recorded.
    await gw.runtime.gateway.audit.record({ event: 'custom.thing', outcome: 'info' });
    const raw = (await boss.get('/_sekisho/admin/audit?event=custom.thing', en)).body;
    expect(raw).toContain('<td class="event"><code>custom.thing</code></td>');
  });
});
