import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../support/browser-client.ts';
import type { TestGateway } from '../support/gateway.ts';
import { startTwoInstances, type TwoInstances } from '../support/two-instances.ts';
import { waitFor } from '../support/wait-for.ts';

/** Changes must reach every running gateway within 2 s, with no restart. */
const propagation = 2000;

describe('two gateway instances sharing Postgres and Redis', () => {
  let a: TestGateway;
  let b: TestGateway;
  let password: string;
  let instances: TwoInstances;

  beforeAll(async () => {
    instances = await startTwoInstances({
      backends: ['bk01', 'bk02', 'bk03'],
      rules: ['/bk01/=ALL;;', '/bk02/=ALL;;', '/bk03/=@eigyo;;'],
      user: { id: 'taro', groups: ['eigyo'] },
    });
    ({ a, b, password } = instances);
  });
  afterAll(async () => {
    await instances?.close();
  });

  /** Lets both instances finish applying changes (two polls: one may have started before them). */
  async function settled() {
    for (const gw of [a, b]) for (let i = 0; i < 2; i++) await gw.runtime.watcher.poll();
  }

  /** The status of one request through `gw` carrying the client's cookies. */
  async function statusOn(gw: TestGateway, client: FormClient, path: string, accept = 'text/html') {
    const other = new FormClient(gw.url);
    for (const [name, value] of client.cookies) other.cookies.set(name, value);
    return (await other.get(path, { accept })).status;
  }

  it('accepts a session created on A when it is used on B', async () => {
    const client = new FormClient(a.url);
    expect((await client.login('taro', password, '/bk01/')).status).toBe(303);
    const onB = new FormClient(b.url);
    onB.cookies.set('sekisho_sid', client.cookies.get('sekisho_sid') ?? '');
    const response = await onB.get('/bk01/x');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).headers['x-remote-user']).toBe('taro');
  });

  it('enforces a rule change on both instances within 2 s, with no manual poll', async () => {
    const client = new FormClient(a.url);
    expect((await client.login('taro', password, '/bk02/')).status).toBe(303);
    expect(await statusOn(a, client, '/bk02/')).toBe(200);
    expect(await statusOn(b, client, '/bk02/')).toBe(200);

    const changed = Date.now();
    await a.admin.setRule('/bk02/=@keiri;;', 'test', { unknownPrincipals: 'allow' });
    const [onA, onB] = await Promise.all([
      waitFor(
        async () => (await statusOn(a, client, '/bk02/')) === 403,
        propagation,
        'instance A enforcing the new rule',
      ),
      waitFor(
        async () => (await statusOn(b, client, '/bk02/')) === 403,
        propagation,
        'instance B enforcing the new rule',
      ),
    ]);
    expect(Math.max(onA, onB)).toBeLessThanOrEqual(propagation);
    expect(Date.now() - changed).toBeLessThan(propagation + 500);
    // The other rule is untouched on both.
    expect(await statusOn(a, client, '/bk01/')).toBe(200);
    expect(await statusOn(b, client, '/bk01/')).toBe(200);
  });

  it('refuses a locked user on both instances within 2 s', async () => {
    const client = new FormClient(b.url);
    expect((await client.login('taro', password, '/bk01/')).status).toBe(303);
    expect(await statusOn(a, client, '/bk01/')).toBe(200);
    expect(await statusOn(b, client, '/bk01/')).toBe(200);

    await a.admin.updateUser('taro', { locked: true }, 'test');
    const [onA, onB] = await Promise.all([
      waitFor(
        async () => (await statusOn(a, client, '/bk01/')) === 302,
        propagation,
        'instance A refusing the session',
      ),
      waitFor(
        async () => (await statusOn(b, client, '/bk01/', 'application/json')) === 401,
        propagation,
        'instance B refusing the session',
      ),
    ]);
    expect(Math.max(onA, onB)).toBeLessThanOrEqual(propagation);
    // The session is gone, not just refused for a moment, and the password no longer works.
    expect(await statusOn(a, client, '/bk01/')).toBe(302);
    expect(await statusOn(b, client, '/bk01/')).toBe(302);
    const again = new FormClient(a.url);
    expect((await again.login('taro', password, '/bk01/')).status).toBe(401);
  });

  it('lets an unlocked user log in again on either instance', async () => {
    await a.admin.updateUser('taro', { locked: false }, 'test');
    const client = new FormClient(b.url);
    expect((await client.login('taro', password, '/bk01/')).status).toBe(303);
    expect(await statusOn(a, client, '/bk01/')).toBe(200);
  });

  it('ends sessions on both instances even when a lock is undone before they poll', async () => {
    const client = new FormClient(a.url);
    expect((await client.login('taro', password, '/bk01/')).status).toBe(303);
    await settled();
    expect(await statusOn(b, client, '/bk01/')).toBe(200);
    await a.admin.updateUser('taro', { locked: true }, 'test');
    await a.admin.updateUser('taro', { locked: false }, 'test');
    await settled();
    expect(await statusOn(a, client, '/bk01/')).toBe(302);
    expect(await statusOn(b, client, '/bk01/')).toBe(302);
    const again = new FormClient(b.url);
    expect((await again.login('taro', password, '/bk01/')).status).toBe(303);
    expect(await statusOn(a, again, '/bk01/')).toBe(200);
  });

  it('keeps a login made after a lock is undone, or after a new password, however late the instances poll', async () => {
    const before = new FormClient(a.url);
    expect((await before.login('taro', password, '/bk01/')).status).toBe(303);
    await settled();
    await a.admin.updateUser('taro', { locked: true }, 'test');
    await a.admin.updateUser('taro', { locked: false }, 'test');
    const afterUnlock = new FormClient(b.url);
    expect((await afterUnlock.login('taro', password, '/bk01/')).status).toBe(303);
    await a.admin.updateUser('taro', { password: 'a second password' }, 'test');
    const afterReset = new FormClient(a.url);
    expect((await afterReset.login('taro', 'a second password', '/bk01/')).status).toBe(303);
    await settled();
    for (const gw of [a, b]) {
      expect(await statusOn(gw, before, '/bk01/')).toBe(302);
      expect(await statusOn(gw, afterUnlock, '/bk01/')).toBe(302);
      expect(await statusOn(gw, afterReset, '/bk01/')).toBe(200);
    }
    await a.admin.updateUser('taro', { password }, 'test');
    await settled();
    expect(await statusOn(b, afterReset, '/bk01/')).toBe(302);
  });

  it('keeps sessions through a profile edit that resends the same groups, and ends them on a new password', async () => {
    const client = new FormClient(a.url);
    expect((await client.login('taro', password, '/bk01/')).status).toBe(303);
    const groups = (await a.runtime.gateway.users.find('taro'))?.groups ?? [];
    await a.admin.updateUser('taro', { displayName: '山田 太郎', groups: [...groups].reverse() }, 'test');
    await settled();
    expect(await statusOn(b, client, '/bk01/')).toBe(200);
    await a.admin.updateUser('taro', { password }, 'test');
    await settled();
    expect(await statusOn(a, client, '/bk01/')).toBe(302);
    expect(await statusOn(b, client, '/bk01/')).toBe(302);
  });

  it('applies a group removal to live sessions on both instances within 2 s', async () => {
    const client = new FormClient(a.url);
    expect((await client.login('taro', password, '/bk03/')).status).toBe(303);
    expect(await statusOn(a, client, '/bk03/')).toBe(200);
    expect(await statusOn(b, client, '/bk03/')).toBe(200);

    await a.admin.updateUser('taro', { groups: [] }, 'test');
    const stillAdmitted = async (gw: TestGateway) => (await statusOn(gw, client, '/bk03/')) === 200;
    await Promise.all([
      waitFor(async () => !(await stillAdmitted(a)), propagation, 'instance A dropping the old group'),
      waitFor(async () => !(await stillAdmitted(b)), propagation, 'instance B dropping the old group'),
    ]);
    // Logged in again, taro is known without the group: the @eigyo path is forbidden, others work.
    await settled();
    const again = new FormClient(b.url);
    expect((await again.login('taro', password, '/bk01/')).status).toBe(303);
    expect(await statusOn(a, again, '/bk03/')).toBe(403);
    expect(await statusOn(b, again, '/bk01/')).toBe(200);
  });
});
