import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectionOptions } from '../../src/adapters/pg/database.ts';
import { AdminService } from '../../src/core/admin-service.ts';
import { csrfField, type FormClient } from '../support/browser-client.ts';
import { runSekisho } from '../support/cli.ts';
import { databaseUrl } from '../support/env.ts';
import { waitFor } from '../support/wait-for.ts';
import { addUser, setRules, testSecret } from '../support/gateway.ts';
import type { TestApp } from '../support/test-app.ts';
import {
  addAdmin,
  auditRows,
  consoleClient,
  buildConsoleApp,
  unescapeHtml,
} from '../support/admin-harness.ts';

const RULES = '/_sekisho/admin/rules';
const agent = 'AdminTest/1.0 (rules)';
const en = { 'accept-language': 'en', 'user-agent': agent };

describe('admin console: rules', () => {
  let gw: TestApp;
  let boss: FormClient;

  beforeAll(async () => {
    gw = await buildConsoleApp({ config: { backends: { bk01: { url: 'http://127.0.0.1:9' } } } });
    boss = await consoleClient(gw, 'boss', await addAdmin(gw, 'boss'), undefined, { 'user-agent': agent });
    // The groups the rules below name: the console refuses a rule naming a group that does not exist.
    for (const group of ['staff', 'keiri', 'helpdesk']) await gw.admin.addGroup(group, 'test');
    await addUser(gw, 'taro', { groups: ['keiri'] });
  });
  afterAll(async () => {
    await gw?.close();
  });

  /** Backends waiting, directly or in the queue behind another waiter, on the blocker's locks. */
  async function waitingBehind(blocker: pg.Client): Promise<number> {
    const { rows } = await blocker.query<{ pid: number; blockers: number[]; own: number }>(
      `SELECT pid, pg_blocking_pids(pid) AS blockers, pg_backend_pid() AS own
       FROM pg_stat_activity WHERE datname = current_database()`,
    );
    const waiting = new Set(rows.slice(0, 1).map((row) => row.own));
    for (let grew = true; grew;) {
      grew = false;
      for (const row of rows) {
        if (waiting.has(row.pid) || !row.blockers.some((pid) => waiting.has(pid))) continue;
        waiting.add(row.pid);
        grew = true;
      }
    }
    return waiting.size - 1;
  }

  const stored = async () => (await gw.runtime.gateway.ruleRepository.list()).map((r) => r.line).sort();
  const ruleIn = (prefix: string) => gw.runtime.gateway.rules.current.match(null, prefix)?.line ?? null;

  /** Submits a console form with the page's CSRF token. */
  async function submit(page: string, action: string, form: Record<string, string>) {
    const token = csrfField((await boss.get(page, en)).body);
    return boss.post(action, { _csrf: token, ...form }, en);
  }

  const addRule = (prefix: string, allow: string, deny: string, methods: string) =>
    submit(RULES, RULES, { prefix, allow, deny, methods });

  it('lists the rules in evaluation order, explains the order, and flags shadowed or unreachable rules', async () => {
    await setRules(
      gw,
      '/bk01/=@staff;;SMSOTP',
      '/bk01/open/=ALL;;',
      'http://intra.example/bk01/=@staff;taro;SMSOTP',
      '/_sekisho/login/=ALL;;',
      '/=ALL;;',
    );
    try {
      await listsInOrder();
    } finally {
      for (const prefix of ['/bk01/open/', 'http://intra.example/bk01/', '/_sekisho/login/', '/bk01/', '/'])
        await gw.admin.deleteRule(prefix, 'test');
    }
  });

  async function listsInOrder() {
    const page = await boss.get(RULES, en);
    expect(page.status).toBe(200);
    const order = [...page.body.matchAll(/<tr data-prefix="([^"]+)"/g)].map((m) => m[1]);
    expect(order).toEqual([
      '/_sekisho/admin/',
      '/_sekisho/login/',
      '/bk01/open/',
      'http://intra.example/bk01/',
      '/bk01/',
      '/',
    ]);
    const text = unescapeHtml(page.body);
    expect(text).toContain('the longest matching path-prefix wins');
    expect(text).toContain('built-in default (not stored)');
    expect(text).toContain('Never applies: the gateway');
    expect(text).toContain(
      'Replaces /bk01/=@staff;;SMSOTP on its subtree and asks less (allows more users, accepts fewer methods); rules do not inherit.',
    );
    expect(text).toContain('For its host it replaces /bk01/=@staff;;SMSOTP.');
  }

  it('adds a rule from the form, in the admin’s name, audited with IP and user agent; the gateway applies it', async () => {
    const response = await addRule('/bk01/', '@staff,@admins', 'taro', 'SMSOTP');
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`${RULES}?done=ruleAdded`);
    expect((await boss.get(String(response.headers.location), en)).body).toContain('The rule was added.');
    const saved = (await gw.runtime.gateway.ruleRepository.list()).find((r) => r.prefix === '/bk01/');
    expect(saved).toMatchObject({ line: '/bk01/=@staff,@admins;taro;SMSOTP', changedBy: 'boss' });
    const [row] = await auditRows(gw, 'rule.set');
    expect(row).toMatchObject({
      actor: 'boss',
      ip: '127.0.0.1',
      userAgent: agent,
      detail: { rule: '/bk01/=@staff,@admins;taro;SMSOTP' },
    });
    await gw.runtime.watcher.poll();
    expect(ruleIn('/bk01/x')).toBe('/bk01/=@staff,@admins;taro;SMSOTP');
  });

  it('refuses a bad rule with the field named, keeps what was typed, and leaves the rules as they were', async () => {
    const before = await stored();
    const audited = (await auditRows(gw)).length;
    const cases: [Record<string, string>, string][] = [
      [{ prefix: '/bk02/', allow: 'ALL', deny: '', methods: 'FOO' }, 'rule: methods: unknown method "FOO"'],
      [
        { prefix: '/bk02/', allow: '', deny: '', methods: '' },
        'rule: allow: empty; use ALL to allow everyone',
      ],
      [
        { prefix: 'bk02', allow: 'ALL', deny: '', methods: '' },
        'rule: path-prefix: "bk02" must be an absolute path',
      ],
      [
        { prefix: '/bk02/', allow: 'ALL;x', deny: '', methods: '' },
        'rule: allow: must not contain "=" or ";"',
      ],
      [{ prefix: '/bk02/', allow: 'ALL', deny: '@', methods: '' }, 'rule: deny: "@" without a group name'],
      [
        { prefix: '/bk02/', allow: '@x', deny: '', methods: 'BYPASS' },
        'rule: allow: a BYPASS path is public',
      ],
    ];
    for (const [form, message] of cases) {
      const response = await addRule(
        form.prefix ?? '',
        form.allow ?? '',
        form.deny ?? '',
        form.methods ?? '',
      );
      expect(response.status, message).toBe(400);
      const text = unescapeHtml(response.body);
      expect(text, message).toContain(message);
      expect(text).toContain(`value="${form.prefix}"`);
    }
    expect(await stored()).toEqual(before);
    expect((await auditRows(gw)).length).toBe(audited);
  });

  it('will not add over an existing rule, nor save an edit of a rule someone changed meanwhile', async () => {
    const duplicate = await addRule('/bk01/', 'ALL', '', '');
    expect(duplicate.status).toBe(409);
    expect(unescapeHtml(duplicate.body)).toContain('a rule for this prefix exists');

    const editPage = `${RULES}/edit?prefix=${encodeURIComponent('/bk01/')}`;
    const form = await boss.get(editPage, en);
    const version = /name="version" value="(\d+)"/.exec(form.body)?.[1];
    await gw.admin.setRule('/bk01/=@staff;;SMSOTP', 'someone-else');
    const stale = await boss.post(
      `${RULES}/edit`,
      {
        _csrf: csrfField(form.body),
        prefix: '/bk01/',
        allow: 'ALL',
        deny: '',
        methods: '',
        version: version ?? '',
      },
      en,
    );
    expect(stale.status).toBe(409);
    expect(unescapeHtml(stale.body)).toContain('someone-else changed it meanwhile');
    expect(await stored()).toContain('/bk01/=@staff;;SMSOTP');
  });

  it('of two simultaneous edits from the same version, exactly one lands; the other is told it changed meanwhile', async () => {
    await gw.admin.setRule('/bk08/=ALL;;', 'test');
    const form = await boss.get(`${RULES}/edit?prefix=${encodeURIComponent('/bk08/')}`, en);
    const version = /name="version" value="(\d+)"/.exec(form.body)?.[1] ?? '';
    const edit = (allow: string) =>
      boss.post(
        `${RULES}/edit`,
        { _csrf: csrfField(form.body), prefix: '/bk08/', allow, deny: '', methods: '', version },
        en,
      );
    const historyBefore = (await gw.runtime.gateway.ruleRepository.history(500)).length;
    // Holding the row makes both saves reach their write before either commits: a check made
    // outside the write (a read, then an upsert) would let both through.
    const blocker = new pg.Client({
      ...connectionOptions(databaseUrl),
      options: `-c search_path=${gw.config.database.schema}`,
    });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query("SELECT 1 FROM access_rules WHERE host = '' AND prefix = '/bk08/' FOR UPDATE");
      const both = Promise.all([edit('@staff'), edit('@admins')]);
      await waitFor(
        async () => (await waitingBehind(blocker)) === 2,
        10_000,
        'both saves waiting on the row',
      );
      await blocker.query('COMMIT');
      const answers = await both;
      expect(answers.map((r) => r.status).sort()).toEqual([303, 409]);
      const refused = answers.find((r) => r.status === 409);
      expect(unescapeHtml(refused?.body ?? '')).toContain('rule: boss changed it meanwhile (now version');
      const won = answers[0]?.status === 303 ? '@staff' : '@admins';
      expect(await stored()).toContain(`/bk08/=${won};;`);
      // The refused save left nothing behind: one history row, the winner's.
      expect((await gw.runtime.gateway.ruleRepository.history(500)).length).toBe(historyBefore + 1);
    } finally {
      await blocker.end();
    }
  });

  it('of two simultaneous adds of the same prefix, exactly one lands', async () => {
    const answers = await Promise.all([
      addRule('/bk09/', 'ALL', '', ''),
      addRule('/bk09/', '@staff', '', ''),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([303, 409]);
    expect(unescapeHtml(answers.find((r) => r.status === 409)?.body ?? '')).toContain(
      'a rule for this prefix exists',
    );
    expect((await stored()).filter((line) => line.startsWith('/bk09/'))).toHaveLength(1);
  });

  it('edits a rule from a pre-filled form; the prefix stays the same', async () => {
    const editPage = `${RULES}/edit?prefix=${encodeURIComponent('/bk01/')}`;
    const form = await boss.get(editPage, en);
    expect(form.status).toBe(200);
    expect(form.body).toContain('<code id="edit-prefix">/bk01/</code>');
    expect(form.body).toContain('name="allow" value="@staff"');
    expect(form.body).toContain('name="methods" value="SMSOTP"');
    const version = /name="version" value="(\d+)"/.exec(form.body)?.[1] ?? '';
    const saved = await boss.post(
      `${RULES}/edit`,
      {
        _csrf: csrfField(form.body),
        prefix: '/bk01/',
        allow: '@staff',
        deny: '',
        methods: 'SMSOTP|MAMORU',
        version,
      },
      en,
    );
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(`${RULES}?done=ruleSaved`);
    expect(await stored()).toContain('/bk01/=@staff;;SMSOTP|MAMORU');
    expect((await auditRows(gw, 'rule.set'))[0]).toMatchObject({
      actor: 'boss',
      detail: { rule: '/bk01/=@staff;;SMSOTP|MAMORU' },
    });
    expect((await boss.get(`${RULES}/edit?prefix=%2Fnothing%2F`, en)).status).toBe(404);
  });

  it('reads the groups once per rules page, for its pickers and its unknown-name warnings alike', async () => {
    await gw.admin.setRule('/bk09/=@keiri,@soumu;;', 'test', { unknownPrincipals: 'allow' });
    const listGroups = vi.spyOn(gw.runtime.gateway.users, 'listGroups');
    try {
      for (const page of [RULES, `${RULES}/edit?prefix=${encodeURIComponent('/bk09/')}`]) {
        listGroups.mockClear();
        const body = unescapeHtml((await boss.get(page, en)).body);
        expect(body).toContain('<option value="@keiri">');
        expect(body).toContain('@soumu does not exist in the auth DB');
        expect(listGroups, page).toHaveBeenCalledTimes(1);
      }
    } finally {
      listGroups.mockRestore();
      await gw.admin.deleteRule('/bk09/', 'test');
    }
  });

  /** The version the rules page shows (and its delete form carries) for a prefix. */
  async function shownVersion(prefix: string): Promise<string> {
    const page = unescapeHtml((await boss.get(RULES, en)).body);
    const row = new RegExp(`<tr data-prefix="${prefix}">[\\s\\S]*?</tr>`).exec(page)?.[0] ?? '';
    return /name="version" value="(\d+)"/.exec(row)?.[1] ?? '';
  }

  it('deletes a rule, audited', async () => {
    await gw.admin.setRule('/bk03/=ALL;;', 'test');
    const version = await shownVersion('/bk03/');
    expect(version).not.toBe('');
    const response = await submit(RULES, `${RULES}/delete`, { prefix: '/bk03/', version });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`${RULES}?done=ruleDeleted`);
    expect(await stored()).not.toContain('/bk03/=ALL;;');
    expect((await auditRows(gw, 'rule.delete'))[0]).toMatchObject({
      actor: 'boss',
      detail: { prefix: '/bk03/' },
    });
    const missing = await submit(RULES, `${RULES}/delete`, { prefix: '/bk03/', version });
    expect(missing.status).toBe(404);
  });

  it('deletes only the version the admin was shown: an edit made since is refused, not deleted', async () => {
    await gw.admin.setRule('/bk08/=ALL;;', 'test');
    const shown = await shownVersion('/bk08/');
    await gw.admin.setRule('/bk08/=@keiri;;', 'alice');
    const response = await submit(RULES, `${RULES}/delete`, { prefix: '/bk08/', version: shown });
    expect(response.status).toBe(409);
    expect(unescapeHtml(response.body)).toContain('alice changed it meanwhile');
    expect(await stored()).toContain('/bk08/=@keiri;;');
    expect((await submit(RULES, `${RULES}/delete`, { prefix: '/bk08/' })).status).toBe(400);
  });

  it('explains what a user needs at a path and which rule decides, with the user’s groups from the DB', async () => {
    await setRules(gw, '/keiri/=@keiri;taro;SMSOTP');
    await addUser(gw, 'hanako', { groups: ['keiri'] });
    const explain = async (query: string) =>
      unescapeHtml((await boss.get(`${RULES}/explain?${query}`, en)).body);

    const hanako = await explain('path=/keiri/report&user=hanako');
    expect(hanako).toContain('<code id="deciding-rule">/keiri/=@keiri;taro;SMSOTP</code>');
    expect(hanako).toContain('<code>password → SMSOTP</code>');
    expect(hanako).toContain('data-kind="allow"');
    expect(hanako).toContain('user hanako (groups keiri) is allowed by @keiri');

    const taro = await explain('path=/KEIRI/report&user=taro');
    expect(taro).toContain('data-kind="forbidden"');
    expect(taro).toContain('user taro (groups keiri) is denied by taro; deny beats allow');

    const anonymous = await explain('path=/nowhere/');
    expect(anonymous).toContain('no rule matches: denied (403)');
    expect(await explain('path=/keiri/&user=ghost')).toContain('There is no user ghost.');
  });

  it('keeps a history with who and when; a rollback restores an earlier version as a new, audited change', async () => {
    expect((await addRule('/bk05/', 'ALL', '', '')).status).toBe(303);
    const v1 = (await gw.runtime.gateway.ruleRepository.history(1))[0]?.version ?? 0;
    await gw.admin.setRule('/bk05/=@admins;;SMSOTP', 'alice');
    const history = await boss.get(`${RULES}/history`, en);
    expect(history.status).toBe(200);
    const row = new RegExp(`<tr data-version="${v1}">[\\s\\S]*?</tr>`).exec(history.body)?.[0] ?? '';
    expect(row).toContain('boss');
    expect(row).toContain('/bk05/=ALL;;');
    expect(row).toContain('Restore this version');
    expect(history.body).toMatch(/<td>alice<\/td>/);

    const restored = await boss.post(
      `${RULES}/rollback`,
      { _csrf: csrfField(history.body), version: String(v1) },
      en,
    );
    expect(restored.status).toBe(303);
    expect(restored.headers.location).toBe(`${RULES}/history?done=ruleRestored`);
    expect(await stored()).toContain('/bk05/=ALL;;');
    const [newest] = await gw.runtime.gateway.ruleRepository.history(1);
    expect(newest).toMatchObject({ line: '/bk05/=ALL;;', changedBy: 'boss' });
    expect(newest?.version).toBeGreaterThan(v1);
    expect((await auditRows(gw, 'rule.rollback'))[0]).toMatchObject({
      actor: 'boss',
      ip: '127.0.0.1',
      userAgent: agent,
      detail: { version: v1, rule: '/bk05/=ALL;;', previous: '/bk05/=@admins;;SMSOTP' },
    });
    await gw.runtime.watcher.poll();
    expect(ruleIn('/bk05/')).toBe('/bk05/=ALL;;');

    // Rolling back to what is already in force changes nothing and records nothing.
    const rollbacks = (await auditRows(gw, 'rule.rollback')).length;
    const again = await submit(`${RULES}/history`, `${RULES}/rollback`, { version: String(v1) });
    expect(again.headers.location).toBe(`${RULES}/history?done=ruleUnchanged`);
    expect((await auditRows(gw, 'rule.rollback')).length).toBe(rollbacks);
    expect((await submit(`${RULES}/history`, `${RULES}/rollback`, { version: '999999' })).status).toBe(404);
  });

  it('does not undo an edit made between a rollback reading the rules and writing one back', async () => {
    await gw.admin.setRule('/bk07/=ALL;;', 'test');
    const v1 = (await gw.runtime.gateway.ruleRepository.history(1))[0]?.version ?? 0;
    await gw.admin.setRule('/bk07/=@admins;;', 'test');
    const { gateway } = gw.runtime;
    const repository = gateway.ruleRepository;
    // Another admin saves right after this rollback has read the rules.
    const racing = new Proxy(repository, {
      get(target, property) {
        if (property === 'list')
          return async () => {
            const rules = await target.list();
            await gw.admin.setRule('/bk07/=@keiri;;', 'alice');
            return rules;
          };
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const { users, hasher, audit, catalogue } = gateway;
    const admin = new AdminService({ users, hasher, audit, catalogue, rules: racing });
    await expect(admin.rollbackRule(v1, 'boss')).rejects.toMatchObject({
      code: 'SEKISHO_ERR_RULE_CONFLICT',
      message: expect.stringContaining('alice changed it meanwhile'),
    });
    expect(await stored()).toContain('/bk07/=@keiri;;');

    // Rolling back to a deletion is guarded the same way: the edit made meanwhile stays.
    await gw.admin.deleteRule('/bk07/', 'test');
    const deletion = (await repository.history(1))[0]?.version ?? 0;
    await gw.admin.setRule('/bk07/=ALL;;', 'test');
    await expect(admin.rollbackRule(deletion, 'boss')).rejects.toMatchObject({
      code: 'SEKISHO_ERR_RULE_CONFLICT',
    });
    expect(await stored()).toContain('/bk07/=@keiri;;');
    // And a caller that judged another version than the one now stored is refused before writing.
    const now = (await repository.list()).find((r) => r.prefix === '/bk07/')?.version ?? 0;
    await expect(gw.admin.rollbackRule(deletion, 'boss', { currentVersion: now - 1 })).rejects.toMatchObject({
      code: 'SEKISHO_ERR_RULE_CONFLICT',
    });
    expect(await stored()).toContain('/bk07/=@keiri;;');
  });

  it('rolls back to a deletion by deleting the rule', async () => {
    await gw.admin.setRule('/bk06/=ALL;;', 'test');
    await gw.admin.deleteRule('/bk06/', 'test');
    const deletion = (await gw.runtime.gateway.ruleRepository.history(1))[0]?.version ?? 0;
    await gw.admin.setRule('/bk06/=@admins;;', 'test');
    const response = await submit(`${RULES}/history`, `${RULES}/rollback`, { version: String(deletion) });
    expect(response.headers.location).toBe(`${RULES}/history?done=ruleRemoved`);
    expect((await stored()).some((line) => line.startsWith('/bk06/'))).toBe(false);
    expect((await auditRows(gw, 'rule.rollback'))[0]).toMatchObject({
      actor: 'boss',
      detail: { version: deletion, rule: null, previous: '/bk06/=@admins;;' },
    });
  });

  it('refuses a change that would take the console away from the admin making it', async () => {
    const before = await stored();
    for (const [allow, methods] of [
      ['@helpdesk', 'SMSOTP'],
      ['ALL', 'BYPASS'],
    ]) {
      const response = await addRule('/_sekisho/admin/', allow ?? '', '', methods ?? '');
      expect(response.status).toBe(400);
      expect(unescapeHtml(response.body)).toContain('would take the console away from you');
    }
    expect(await stored()).toEqual(before);
    // Widening it is fine, and the built-in default comes back when that rule is deleted.
    expect((await addRule('/_sekisho/admin/', '@admins,@helpdesk', '', 'SMSOTP')).status).toBe(303);
    const adminRule = { prefix: '/_sekisho/admin/', version: await shownVersion('/_sekisho/admin/') };
    expect((await submit(RULES, `${RULES}/delete`, adminRule)).status).toBe(303);
  });

  it('shares history with the CLI: `sekisho rule rollback <version>` restores a version too', async () => {
    await gw.admin.setRule('/bk07/=ALL;;', 'test');
    const v1 = (await gw.runtime.gateway.ruleRepository.history(1))[0]?.version ?? 0;
    await gw.admin.setRule('/bk07/=@admins;;', 'test');
    const dir = mkdtempSync(join(tmpdir(), 'sekisho-admin-'));
    const config = join(dir, 'sekisho.yaml');
    writeFileSync(
      config,
      `database: { url: "${databaseUrl}", schema: ${gw.config.database.schema} }\nsecret: "${testSecret}"\n`,
    );
    const run = await runSekisho(['rule', 'rollback', String(v1), '--config', config]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('rule restored: /bk07/=ALL;;');
    expect(await stored()).toContain('/bk07/=ALL;;');
    expect((await auditRows(gw, 'rule.rollback'))[0]).toMatchObject({
      // `cli`, or `cli:<OS user>` where the CLI names who ran it.
      actor: expect.stringMatching(/^cli(:.+)?$/),
      detail: { version: v1 },
    });
    const bad = await runSekisho(['rule', 'rollback', 'latest', '--config', config]);
    expect(bad.code).toBe(2);
  });
});
