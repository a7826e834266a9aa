import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, setRules } from '../support/gateway.ts';
import { buildTestApp, type TestApp } from '../support/test-app.ts';
import {
  addAdmin,
  auditRows,
  CONSOLE,
  consoleClient,
  lastSandboxCode,
  passwordOnlyClient,
  buildConsoleApp,
} from '../support/admin-harness.ts';

/** Who gets into the console: the rule decides first, then the console insists on a session. */
describe('admin console access', () => {
  let gw: TestApp;
  let bossPassword: string;
  let taroPassword: string;

  beforeAll(async () => {
    gw = await buildConsoleApp();
    bossPassword = await addAdmin(gw, 'boss');
    taroPassword = await addUser(gw, 'taro', { phone: '+819033334444' });
    await setRules(gw, '/bk01/=ALL;;SMSOTP');
  });
  afterAll(async () => {
    await gw?.close();
  });

  /** A valid token of the client's own, from a page every session can open (the logout page). */
  async function tokenOf(client: FormClient): Promise<string> {
    return csrfField((await client.get('/_sekisho/logout')).body);
  }

  const addRuleForm = (token: string) => ({
    _csrf: token,
    prefix: '/sneaky/',
    allow: 'ALL',
    deny: '',
    methods: '',
  });

  it('sends a browser with no session to the login page, the console kept as where to go next', async () => {
    const page = await new FormClient(gw.app).get('/_sekisho/admin/rules');
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe(`/_sekisho/login?next=${encodeURIComponent('/_sekisho/admin/rules')}`);
    const api = await gw.app.inject({
      url: '/_sekisho/admin/users',
      headers: { accept: 'application/json' },
    });
    expect(api.statusCode).toBe(401);
    expect(api.json()).toMatchObject({ error: 'authentication_required' });
  });

  it('refuses a user outside @admins with 403, pages and forms alike, even with both factors', async () => {
    const client = await passwordOnlyClient(gw, 'taro', taroPassword);
    const page = await client.get(CONSOLE);
    expect(page.status).toBe(403);
    expect(page.body).not.toContain('admin-nav');
    const post = await client.post('/_sekisho/admin/rules', addRuleForm(await tokenOf(client)));
    expect(post.status).toBe(403);

    // Prove the SMS step too (on /bk01/): still not an admin.
    const otp = await client.get(`/_sekisho/mfa/SMSOTP?next=${encodeURIComponent('/bk01/')}`);
    expect({ status: otp.status, location: otp.headers.location }).toEqual({
      status: 200,
      location: undefined,
    });
    const proven = await client.post('/_sekisho/mfa/SMSOTP', {
      _csrf: csrfField(otp.body),
      next: '/bk01/',
      otp: await lastSandboxCode(gw, '+819033334444'),
    });
    expect(proven.status).toBe(303);
    expect((await client.get('/_sekisho/admin/users')).status).toBe(403);
    expect((await client.post('/_sekisho/admin/rules', addRuleForm(await tokenOf(client)))).status).toBe(403);
    expect((await gw.runtime.gateway.ruleRepository.list()).map((r) => r.prefix)).not.toContain('/sneaky/');
  });

  it('sends an admin whose session lacks the second factor to the SMS step, and lets none of its POSTs in', async () => {
    const client = await passwordOnlyClient(gw, 'boss', bossPassword);
    const page = await client.get('/_sekisho/admin/users');
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe(`/_sekisho/mfa?next=${encodeURIComponent('/_sekisho/admin/users')}`);
    const step = await client.get(String(page.headers.location));
    expect(step.status).toBe(303);
    expect(step.headers.location).toMatch(/^\/_sekisho\/mfa\/SMSOTP\?/);

    const post = await client.post('/_sekisho/admin/rules', addRuleForm(await tokenOf(client)));
    expect(post.status).toBe(401);
    expect((await gw.runtime.gateway.ruleRepository.list()).map((r) => r.prefix)).not.toContain('/sneaky/');
    expect(await auditRows(gw, 'rule.set')).not.toContainEqual(expect.objectContaining({ actor: 'boss' }));
  });

  it('lets an admin with password and SMS code in, in their own name, in Japanese or English', async () => {
    const client = await consoleClient(gw, 'boss', bossPassword);
    const ja = await client.get(CONSOLE);
    expect(ja.status).toBe(200);
    expect(ja.body).toContain('<strong id="admin-id">boss</strong>');
    expect(ja.body).toContain('管理コンソール');
    expect(ja.headers['content-security-policy']).toContain("script-src 'self'");
    const en = await client.get(CONSOLE, { 'accept-language': 'en' });
    expect(en.body).toContain('Admin console');
  });

  it('refuses everything when the console rule is made BYPASS: the console acts only for a session', async () => {
    const client = await consoleClient(gw, 'boss', bossPassword);
    await setRules(gw, '/_sekisho/admin/=ALL;;BYPASS');
    try {
      expect((await client.get(CONSOLE)).status).toBe(403);
      expect((await new FormClient(gw.app).get('/_sekisho/admin/users')).status).toBe(403);
      expect((await client.post('/_sekisho/admin/rules', addRuleForm(await tokenOf(client)))).status).toBe(
        403,
      );
    } finally {
      await gw.admin.deleteRule('/_sekisho/admin/', 'test');
      await gw.runtime.watcher.poll();
    }
    expect((await client.get(CONSOLE)).status).toBe(200);
  });

  it('follows an edited console rule: a helpdesk group let in with its own second factor', async () => {
    const password = await addUser(gw, 'hana', { groups: ['helpdesk'], phone: '+819055556666' });
    const before = await passwordOnlyClient(gw, 'hana', password);
    expect((await before.get(CONSOLE)).status).toBe(403);
    await setRules(gw, '/_sekisho/admin/=@admins,@helpdesk;;SMSOTP');
    try {
      const client = await consoleClient(gw, 'hana', password, '+819055556666');
      expect((await client.get(CONSOLE)).status).toBe(200);
    } finally {
      await gw.admin.deleteRule('/_sekisho/admin/', 'test');
      await gw.runtime.watcher.poll();
    }
  });
});

describe('admin console without SMS configured', () => {
  let gw: TestApp;

  beforeAll(async () => {
    gw = await buildTestApp();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('falls back to a password-only default and warns about it on the rules page', async () => {
    const password = await addUser(gw, 'boss', { groups: ['admins'] });
    const client = new FormClient(gw.app);
    expect((await client.login('boss', password, CONSOLE)).status).toBe(303);
    const rules = await client.get('/_sekisho/admin/rules', { 'accept-language': 'en' });
    expect(rules.status).toBe(200);
    expect(rules.body).toContain('/_sekisho/admin/=@admins;;');
    expect(rules.body).toContain('The console can be reached with a single factor.');
  });
});
