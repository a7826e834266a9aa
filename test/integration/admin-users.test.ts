import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, request, setRules, type TestGateway } from '../support/gateway.ts';
import { enrolDevice } from '../support/push-harness.ts';
import {
  addAdmin,
  auditRows,
  consoleClient,
  startConsoleGateway,
  unescapeHtml,
} from '../support/admin-harness.ts';

const agent = 'AdminTest/1.0 (users)';
const en = { 'accept-language': 'en', 'user-agent': agent };
const userPage = (id: string) => `/_sekisho/admin/user?id=${encodeURIComponent(id)}`;

describe('admin console: users, sessions and devices', () => {
  let backend: FakeBackend;
  let gw: TestGateway;
  let boss: FormClient;

  beforeAll(async () => {
    backend = await startBackend();
    gw = await startConsoleGateway({
      config: { backends: { bk01: { url: backend.url } }, password: { maxFailures: 2, lockoutSeconds: 900 } },
    });
    await setRules(gw, '/bk01/=ALL;;');
    boss = await consoleClient(gw, 'boss', await addAdmin(gw, 'boss'), undefined, { 'user-agent': agent });
    await gw.admin.addGroup('keiri', 'test');
  });
  afterAll(async () => {
    await gw?.close();
    await backend?.close();
  });

  const user = (id: string) => gw.runtime.gateway.users.find(id);

  /** Submits a console form with its page's CSRF token; repeated fields (checkboxes) as arrays. */
  async function submit(page: string, action: string, form: Record<string, string | string[]>) {
    const body = new URLSearchParams({ _csrf: csrfField((await boss.get(page, en)).body) });
    for (const [key, value] of Object.entries(form)) for (const v of [value].flat()) body.append(key, v);
    const response = await request(gw.url + action, {
      method: 'POST',
      headers: {
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
        cookie: boss.cookieHeader(),
        ...en,
      },
      body: body.toString(),
    });
    return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
  }

  /** Whether a client's session still opens a backend page. */
  const opens = async (client: FormClient) =>
    (await client.get('/bk01/', { accept: 'application/json' })).status === 200;

  async function loggedIn(id: string, password: string, ua = 'Browser/1.0'): Promise<FormClient> {
    const client = new FormClient(gw.url);
    expect((await client.login(id, password, '/bk01/')).status).toBe(303);
    expect(await client.get('/bk01/', { accept: 'application/json', 'user-agent': ua })).toMatchObject({
      status: 200,
    });
    return client;
  }

  it('adds a user with an initial password, audited in the admin’s name; refuses bad input naming it', async () => {
    const bad = await submit('/_sekisho/admin/users', '/_sekisho/admin/users', {
      id: 'hanako',
      name: '山田 花子',
      phone: '090-1234',
      password: 'initial password',
    });
    expect(bad.status).toBe(400);
    expect(unescapeHtml(bad.body)).toContain('phone "090-1234" is not a phone number');
    expect(bad.body).toContain('value="山田 花子"');
    expect(await user('hanako')).toBeNull();

    const added = await submit('/_sekisho/admin/users', '/_sekisho/admin/users', {
      id: 'hanako',
      name: '山田 花子',
      email: 'hanako@example.co.jp',
      // Typed the way Japanese users write it; stored as E.164, as /me and the CLI store it.
      phone: '090-1234-0099',
      groups: ['keiri'],
      password: 'initial password',
    });
    expect(added.status).toBe(303);
    expect(added.headers.location).toBe(`${userPage('hanako')}&done=userAdded`);
    expect(await user('hanako')).toMatchObject({
      displayName: '山田 花子',
      groups: ['keiri'],
      phone: '+819012340099',
    });
    await loggedIn('hanako', 'initial password');
    const [row] = await auditRows(gw, 'user.add');
    expect(row).toMatchObject({ userId: 'hanako', actor: 'boss', ip: '127.0.0.1', userAgent: agent });
    expect(JSON.stringify(await auditRows(gw))).not.toContain('initial password');

    const duplicate = await submit('/_sekisho/admin/users', '/_sekisho/admin/users', {
      id: 'hanako',
      password: 'x'.repeat(9),
    });
    expect(duplicate.status).toBe(409);
    const short = await submit('/_sekisho/admin/users', '/_sekisho/admin/users', {
      id: 'jiro',
      password: 'short',
    });
    expect(short.status).toBe(400);
    expect(short.body).toContain('password must be at least 8 characters');
  });

  it('adds groups and finds users by ID, name, phone or group', async () => {
    const group = await submit('/_sekisho/admin/users', '/_sekisho/admin/groups', { group: 'eigyo' });
    expect(group.status).toBe(303);
    expect((await gw.runtime.gateway.users.listGroups()).map((g) => g.name)).toContain('eigyo');
    expect((await auditRows(gw, 'group.add'))[0]).toMatchObject({
      actor: 'boss',
      detail: { group: 'eigyo' },
    });
    await addUser(gw, 'jiro', { groups: ['eigyo'] });

    const ids = async (q: string) => {
      const page = await boss.get(`/_sekisho/admin/users?q=${encodeURIComponent(q)}`, en);
      return [...page.body.matchAll(/<a href="\/_sekisho\/admin\/user\?id=([^"]+)">/g)].map((m) => m[1]);
    };
    expect(await ids('keiri')).toEqual(['hanako']);
    expect(await ids('山田')).toEqual(['hanako']);
    expect(await ids('0099')).toEqual(['hanako']);
    expect(await ids('EIGYO')).toEqual(['jiro']);
    const list = await boss.get('/_sekisho/admin/users', en);
    expect(list.body).toContain('+********0099');
    expect(list.body).not.toContain('+819012340099');
  });

  it('edits name, email, phone and groups; a change of groups ends the user’s sessions', async () => {
    const session = await loggedIn('hanako', 'initial password');
    const saved = await submit(userPage('hanako'), '/_sekisho/admin/user/profile', {
      user: 'hanako',
      name: '佐藤 花子',
      email: 'sato@example.co.jp',
      phone: '０９０－８７６５－４３２１',
      groups: ['keiri', 'eigyo'],
    });
    expect(saved.status).toBe(303);
    expect(await user('hanako')).toMatchObject({
      displayName: '佐藤 花子',
      email: 'sato@example.co.jp',
      phone: '+819087654321',
      groups: ['eigyo', 'keiri'],
    });
    expect((await auditRows(gw, 'user.update'))[0]).toMatchObject({ userId: 'hanako', actor: 'boss' });
    await gw.runtime.watcher.poll();
    expect(await opens(session)).toBe(false);

    const refused = await submit(userPage('hanako'), '/_sekisho/admin/user/profile', {
      user: 'hanako',
      name: '佐藤 花子',
      email: 'not-an-email',
      phone: '',
    });
    expect(refused.status).toBe(400);
    expect(unescapeHtml(refused.body)).toContain('email "not-an-email" is not valid');
  });

  it('locks and unlocks a user (their sessions end), but never the admin themselves', async () => {
    const session = await loggedIn('hanako', 'initial password');
    const locked = await submit(userPage('hanako'), '/_sekisho/admin/user/lock', { user: 'hanako' });
    expect(locked.headers.location).toBe(`${userPage('hanako')}&done=locked`);
    expect((await user('hanako'))?.locked).toBe(true);
    await gw.runtime.watcher.poll();
    expect(await opens(session)).toBe(false);
    expect((await new FormClient(gw.url).login('hanako', 'initial password')).status).toBe(401);
    expect((await auditRows(gw, 'user.lock'))[0]).toMatchObject({
      userId: 'hanako',
      actor: 'boss',
      userAgent: agent,
    });

    const unlocked = await submit(userPage('hanako'), '/_sekisho/admin/user/unlock', { user: 'hanako' });
    expect(unlocked.status).toBe(303);
    expect((await user('hanako'))?.locked).toBe(false);
    expect((await auditRows(gw, 'user.unlock'))[0]).toMatchObject({ userId: 'hanako', actor: 'boss' });

    const self = await submit(userPage('boss'), '/_sekisho/admin/user/lock', { user: 'boss' });
    expect(self.status).toBe(400);
    expect(self.body).toContain('You cannot lock or delete your own account');
    expect((await user('boss'))?.locked).toBe(false);
  });

  it('resets a password: the old one stops working, the new one works, and neither is written anywhere', async () => {
    const reset = await submit(userPage('hanako'), '/_sekisho/admin/user/password', {
      user: 'hanako',
      password: 'brand new password',
    });
    expect(reset.headers.location).toBe(`${userPage('hanako')}&done=passwordReset`);
    expect((await new FormClient(gw.url).login('hanako', 'initial password')).status).toBe(401);
    await loggedIn('hanako', 'brand new password');
    const [row] = await auditRows(gw, 'user.password');
    expect(row).toMatchObject({ userId: 'hanako', actor: 'boss' });
    expect(JSON.stringify(await auditRows(gw))).not.toContain('brand new password');
  });

  it('clears the failed-login count and a temporary lockout', async () => {
    for (let i = 0; i < 2; i++) await new FormClient(gw.url).login('hanako', 'wrong password');
    expect((await user('hanako'))?.lockoutUntil).not.toBeNull();
    expect((await new FormClient(gw.url).login('hanako', 'brand new password')).status).toBe(401);
    const page = await boss.get(userPage('hanako'), en);
    expect(page.body).toContain('locked out until');
    const cleared = await submit(userPage('hanako'), '/_sekisho/admin/user/clear-lockout', {
      user: 'hanako',
    });
    expect(cleared.headers.location).toBe(`${userPage('hanako')}&done=lockoutCleared`);
    expect(await user('hanako')).toMatchObject({ failedCount: 0, lockoutUntil: null, locked: false });
    expect((await auditRows(gw, 'user.clear_lockout'))[0]).toMatchObject({ userId: 'hanako', actor: 'boss' });
    await loggedIn('hanako', 'brand new password');
  });

  it('lists a user’s live sessions without any token, ends one (refused at once) and then all', async () => {
    const password = await addUser(gw, 'saburo');
    const first = await loggedIn('saburo', password, 'FirstBrowser/1.0');
    const second = await loggedIn('saburo', password, 'SecondBrowser/2.0');
    const page = await boss.get(userPage('saburo'), en);
    const ids = [...page.body.matchAll(/<tr data-session="([^"]+)">/g)].map((m) => m[1]);
    expect(ids).toHaveLength(2);
    expect(page.body).toContain('password');
    expect(page.body).toContain('127.0.0.1');
    for (const client of [first, second]) expect(page.body).not.toContain(client.cookies.get('sekisho_sid'));
    for (const listed of await gw.runtime.gateway.sessions.listFor('saburo'))
      expect(page.body).not.toContain(listed.hash);

    // The newest session is listed first: end it from the sessions page.
    const lookup = await boss.get('/_sekisho/admin/sessions?user=saburo', en);
    expect(lookup.body).toContain(`data-session="${ids[0]}"`);
    const ended = await submit(
      '/_sekisho/admin/sessions?user=saburo',
      '/_sekisho/admin/user/revoke-session',
      {
        user: 'saburo',
        session: ids[0] ?? '',
        back: 'sessions',
      },
    );
    expect(ended.headers.location).toBe('/_sekisho/admin/sessions?user=saburo&done=sessionRevoked');
    expect(await opens(second)).toBe(false);
    expect(await opens(first)).toBe(true);
    expect((await auditRows(gw, 'session.revoke'))[0]).toMatchObject({
      userId: 'saburo',
      actor: 'boss',
      detail: { session: ids[0], ended: true },
    });
    const gone = await submit(userPage('saburo'), '/_sekisho/admin/user/revoke-session', {
      user: 'saburo',
      session: ids[0] ?? '',
    });
    expect(gone.headers.location).toBe(`${userPage('saburo')}&done=sessionGone`);

    const all = await submit(userPage('saburo'), '/_sekisho/admin/user/revoke-sessions', { user: 'saburo' });
    expect(all.headers.location).toBe(`${userPage('saburo')}&done=sessionsRevoked`);
    expect(await opens(first)).toBe(false);
    expect((await auditRows(gw, 'session.revoke_all'))[0]).toMatchObject({
      userId: 'saburo',
      actor: 'boss',
      detail: { count: 1 },
    });
    expect((await boss.get('/_sekisho/admin/sessions?user=nobody', en)).status).toBe(404);
  });

  it('lists push devices and revokes one, audited in the admin’s name; another user’s device is refused', async () => {
    const push = gw.runtime.gateway.push!;
    const device = await enrolDevice(push, 'hanako');
    const others = await enrolDevice(push, 'jiro');
    const page = await boss.get(userPage('hanako'), en);
    expect(page.body).toContain(`data-device="${device.id}"`);
    expect(page.body).toContain('Test phone');

    const foreign = await submit(userPage('hanako'), '/_sekisho/admin/user/revoke-device', {
      user: 'hanako',
      device: others.id,
    });
    expect(foreign.status).toBe(404);
    expect((await push.listDevices('jiro'))[0]?.revokedAt).toBeNull();

    const revoked = await submit(userPage('hanako'), '/_sekisho/admin/user/revoke-device', {
      user: 'hanako',
      device: device.id,
    });
    expect(revoked.headers.location).toBe(`${userPage('hanako')}&done=deviceRevoked`);
    expect((await push.listDevices('hanako'))[0]?.revokedAt).not.toBeNull();
    expect((await auditRows(gw, 'push.device_revoked'))[0]).toMatchObject({
      userId: 'hanako',
      actor: 'boss',
      ip: '127.0.0.1',
      userAgent: agent,
      detail: { deviceId: device.id },
    });
  });

  it('deletes a user (their sessions end), but not the admin themselves', async () => {
    const session = await loggedIn('jiro', await resetFor('jiro'));
    const deleted = await submit(userPage('jiro'), '/_sekisho/admin/user/delete', { user: 'jiro' });
    expect(deleted.headers.location).toBe('/_sekisho/admin/users?done=userDeleted');
    expect(await user('jiro')).toBeNull();
    await gw.runtime.watcher.poll();
    expect(await opens(session)).toBe(false);
    expect((await auditRows(gw, 'user.delete'))[0]).toMatchObject({ userId: 'jiro', actor: 'boss' });
    expect((await boss.get(userPage('jiro'), en)).status).toBe(404);
    const self = await submit(userPage('boss'), '/_sekisho/admin/user/delete', { user: 'boss' });
    expect(self.status).toBe(400);
    expect(await user('boss')).not.toBeNull();
  });

  /** Gives a user a known password (through the service, as the CLI would). */
  async function resetFor(id: string): Promise<string> {
    const password = `known password for ${id}`;
    await gw.admin.updateUser(id, { password }, 'test');
    return password;
  }
});
