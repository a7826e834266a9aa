import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgWebAuthnRepository } from '../../src/adapters/pg/pg-webauthn-repository.ts';
import { csrfField, type FormClient } from '../support/browser-client.ts';
import { addUser } from '../support/gateway.ts';
import type { TestApp } from '../support/test-app.ts';
import { addAdmin, auditRows, buildConsoleApp, consoleClient } from '../support/admin-harness.ts';

/** The console lists a user's passkeys with the other authenticators and removes them, audited. */
describe('admin console: a user’s passkeys', () => {
  let gw: TestApp;
  let admin: FormClient;
  let passkeys: PgWebAuthnRepository;

  beforeAll(async () => {
    gw = await buildConsoleApp();
    admin = await consoleClient(gw, 'boss', await addAdmin(gw, 'boss'));
    await addUser(gw, 'taro');
    passkeys = new PgWebAuthnRepository(gw.runtime.pool);
    const passkey = { userHandle: 'aGFuZGxl', publicKey: 'cGs', signCount: 0, transports: ['internal'] };
    const model = { backedUp: false, multiDevice: false, aaguid: '01020304-0506-0708-0102-030405060708' };
    await passkeys.add('taro', 'PASSKEY', '会社のPC', { credentialId: 'Y3JlZC0x', ...passkey, ...model }, 1);
    const synced = { backedUp: true, multiDevice: true, aaguid: '00000000-0000-0000-0000-000000000000' };
    await passkeys.add('taro', 'PASSKEY', 'iPhone', { credentialId: 'Y3JlZC0y', ...passkey, ...synced }, 2);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('lists both passkeys by name, bound to a device or synced', async () => {
    const page = await admin.get('/_sekisho/admin/user?id=taro');
    expect(page.status).toBe(200);
    const rows = [
      ...page.body.matchAll(/data-method="PASSKEY" data-credential="[0-9a-f-]{36}">([\s\S]*?)<\/tr>/g),
    ];
    expect(rows).toHaveLength(2);
    expect(rows[0]?.[1]).toContain('会社のPC');
    expect(rows[0]?.[1]).toContain('デバイス固定');
    expect(rows[1]?.[1]).toContain('iPhone');
    expect(rows[1]?.[1]).toContain('同期パスキー');
  });

  it('removes one; the other stays; audited', async () => {
    const page = await admin.get('/_sekisho/admin/user?id=taro');
    const [first] = await passkeys.list('taro');
    const removed = await admin.post('/_sekisho/admin/user/remove-credential', {
      _csrf: csrfField(page.body),
      user: 'taro',
      method: 'PASSKEY',
      credential: first?.id ?? '',
    });
    expect(removed.status).toBe(303);
    expect((await passkeys.list('taro')).map((p) => p.name)).toEqual(['iPhone']);
    expect(await passkeys.find('Y3JlZC0x')).toBeNull();
    const rows = await auditRows(gw, 'credential.removed');
    expect(rows[0]).toMatchObject({
      userId: 'taro',
      actor: 'boss',
      detail: { method: 'PASSKEY', id: first?.id },
    });
  });
});
