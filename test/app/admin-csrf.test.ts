import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../support/browser-client.ts';
import { addUser } from '../support/gateway.ts';
import type { TestApp } from '../support/test-app.ts';
import { enrolDevice } from '../support/push-harness.ts';
import { addAdmin, buildConsoleApp, consoleClient, postForms } from '../support/admin-harness.ts';

/** Every form the console has, with valid fields: each must be refused without its CSRF field. */
const ACTIONS = [
  '/_sekisho/admin/rules',
  '/_sekisho/admin/rules/edit',
  '/_sekisho/admin/rules/delete',
  '/_sekisho/admin/rules/rollback',
  '/_sekisho/admin/users',
  '/_sekisho/admin/groups',
  '/_sekisho/admin/user/profile',
  '/_sekisho/admin/user/lock',
  '/_sekisho/admin/user/unlock',
  '/_sekisho/admin/user/password',
  '/_sekisho/admin/user/clear-lockout',
  '/_sekisho/admin/user/delete',
  '/_sekisho/admin/user/revoke-sessions',
  '/_sekisho/admin/user/revoke-session',
  '/_sekisho/admin/user/revoke-device',
  '/_sekisho/admin/user/remove-credential',
  '/_sekisho/admin/user/recovery-clear',
  '/_sekisho/admin/user/issue-activation',
  '/_sekisho/admin/user/push-enrol',
].sort();

describe('admin console forms and CSRF', () => {
  let gw: TestApp;
  let boss: FormClient;
  let firstVersion: number;
  let deviceId: string;

  beforeAll(async () => {
    gw = await buildConsoleApp();
    boss = await consoleClient(gw, 'boss', await addAdmin(gw, 'boss'));
    await gw.admin.setRule('/bk01/=ALL;;', 'test');
    await gw.admin.setRule('/bk01/=@staff;;', 'test', { unknownPrincipals: 'allow' });
    firstVersion = (await gw.runtime.gateway.ruleRepository.history(10)).at(-1)?.version ?? 0;
    // A victim with a live session, a failed login, a push device; and a locked user.
    const password = await addUser(gw, 'victim', { phone: '+819077778888' });
    expect((await new FormClient(gw.app).login('victim', password)).status).toBe(303);
    expect((await new FormClient(gw.app).login('victim', 'wrong password')).status).toBe(401);
    deviceId = (await enrolDevice(gw.runtime.gateway.push!, 'victim')).id;
    await addUser(gw, 'frozen');
    await gw.admin.updateUser('frozen', { locked: true }, 'test');
  });
  afterAll(async () => {
    await gw?.close();
  });

  /** Everything a console form can change, to compare before and after. */
  async function snapshot() {
    const g = gw.runtime.gateway;
    return {
      rules: await g.ruleRepository.list(),
      history: await g.ruleRepository.history(100),
      users: await g.users.list(),
      groups: await g.users.listGroups(),
      sessions: (await g.sessions.listFor('victim')).map((s) => s.hash),
      devices: await g.push!.listDevices('victim'),
      audit: (await g.auditTrail.query({ user: 'boss' }, { limit: 100, offset: 0 })).map((r) => r.id),
    };
  }

  it('puts the CSRF field in every form of every console page', async () => {
    const pages = [
      '/_sekisho/admin/rules',
      `/_sekisho/admin/rules/edit?prefix=${encodeURIComponent('/bk01/')}`,
      '/_sekisho/admin/rules/history',
      '/_sekisho/admin/users',
      '/_sekisho/admin/user?id=victim',
      '/_sekisho/admin/user?id=frozen',
      '/_sekisho/admin/sessions?user=victim',
    ];
    const forms = [];
    for (const path of pages) {
      const page = await boss.get(path);
      expect(page.status, path).toBe(200);
      forms.push(...postForms(page.body));
    }
    expect(forms.filter((f) => !f.hasCsrf)).toEqual([]);
    expect([...new Set(forms.map((f) => f.action))].sort()).toEqual(ACTIONS);
  });

  it('refuses a POST to every form without its CSRF field (403) and changes nothing', async () => {
    const sessionId = /data-session="([^"]+)"/.exec(
      (await boss.get('/_sekisho/admin/user?id=victim')).body,
    )?.[1];
    expect(sessionId).toBeTruthy();
    const fields: Record<string, Record<string, string>> = {
      '/_sekisho/admin/rules': { prefix: '/csrf/', allow: 'ALL', deny: '', methods: '' },
      '/_sekisho/admin/rules/edit': { prefix: '/bk01/', allow: 'ALL', deny: '', methods: '', version: '' },
      '/_sekisho/admin/rules/delete': { prefix: '/bk01/' },
      '/_sekisho/admin/rules/rollback': { version: String(firstVersion) },
      '/_sekisho/admin/users': { id: 'newcomer', password: 'long enough password' },
      '/_sekisho/admin/groups': { group: 'newgroup' },
      '/_sekisho/admin/user/profile': { user: 'victim', name: 'Changed', email: '', phone: '' },
      '/_sekisho/admin/user/lock': { user: 'victim' },
      '/_sekisho/admin/user/unlock': { user: 'frozen' },
      '/_sekisho/admin/user/password': { user: 'victim', password: 'another long password' },
      '/_sekisho/admin/user/clear-lockout': { user: 'victim' },
      '/_sekisho/admin/user/delete': { user: 'victim' },
      '/_sekisho/admin/user/revoke-sessions': { user: 'victim' },
      '/_sekisho/admin/user/revoke-session': { user: 'victim', session: sessionId ?? '', back: 'user' },
      '/_sekisho/admin/user/revoke-device': { user: 'victim', device: deviceId },
      '/_sekisho/admin/user/remove-credential': { user: 'victim', method: 'SMSOTP', credential: 'phone' },
      '/_sekisho/admin/user/recovery-clear': { user: 'victim' },
      '/_sekisho/admin/user/issue-activation': { user: 'victim' },
      '/_sekisho/admin/user/push-enrol': { user: 'victim' },
    };
    expect(Object.keys(fields).sort()).toEqual(ACTIONS);
    const before = await snapshot();
    for (const [action, form] of Object.entries(fields)) {
      const missing = await boss.post(action, form);
      expect(missing.status, action).toBe(403);
      expect(missing.body, action).toContain('フォームの有効期限');
      const forged = await boss.post(action, { ...form, _csrf: 'forged-token' });
      expect(forged.status, action).toBe(403);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a token from another browser', async () => {
    const other = await consoleClient(
      gw,
      'boss2',
      await addAdmin(gw, 'boss2', '+819099990000'),
      '+819099990000',
    );
    const token =
      /name="_csrf" value="([^"]+)"/.exec((await other.get('/_sekisho/admin/users')).body)?.[1] ?? '';
    const response = await boss.post('/_sekisho/admin/groups', { _csrf: token, group: 'stolen' });
    expect(response.status).toBe(403);
    expect((await gw.runtime.gateway.users.listGroups()).map((g) => g.name)).not.toContain('stolen');
  });
});
