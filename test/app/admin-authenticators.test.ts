import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionTotp } from '../../plugins/totp/credentials.ts';
import { methodCredentials } from '../../src/core/plugin-host.ts';
import { RecoveryCodes } from '../../src/core/recovery-codes.ts';
import { csrfField, type FormClient } from '../support/browser-client.ts';
import { addUser } from '../support/gateway.ts';
import { testSecret } from '../support/gateway.ts';
import type { TestApp } from '../support/test-app.ts';
import {
  addAdmin,
  auditRows,
  buildConsoleApp,
  consoleClient,
  unescapeHtml,
} from '../support/admin-harness.ts';

/** The console shows a user's authenticators of every method and resets them, each change audited. */
describe('admin console: a user’s authenticators', () => {
  let gw: TestApp;
  let admin: FormClient;

  beforeAll(async () => {
    gw = await buildConsoleApp();
    admin = await consoleClient(gw, 'boss', await addAdmin(gw, 'boss'));
    await addUser(gw, 'taro', { phone: '+819033334444' });
    const { gateway } = gw.runtime;
    const store = methodCredentials(gateway.credentials, 'TOTP', gateway.clock);
    await provisionTotp(store, gateway.sealFor('plugin:TOTP'), 'Sekisho', 'taro');
    await new RecoveryCodes({ ...gateway, repository: gateway.recoveryCodes, secret: testSecret }).generate(
      'taro',
      { actor: 'test' },
    );
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('lists the SMS number masked, the TOTP app and the recovery codes left', async () => {
    const page = await admin.get('/_sekisho/admin/user?id=taro');
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/data-method="SMSOTP" data-credential="phone"/);
    // Masked however the SMS method writes it: the last four digits only.
    expect(page.body).toMatch(/data-credential="phone">\s*<td>[^<]*\*[^<]*4444/);
    expect(page.body).toMatch(/data-method="TOTP" data-credential="[0-9a-f-]{36}"/);
    expect(page.body).toContain('id="admin-recovery-left"');
    expect(page.body).toMatch(/リカバリーコード: 10/);
  });

  it('removes the TOTP app, voids the recovery codes and issues a single activation link, all audited', async () => {
    const page = await admin.get('/_sekisho/admin/user?id=taro');
    const credential = /data-method="TOTP" data-credential="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const removed = await admin.post('/_sekisho/admin/user/remove-credential', {
      _csrf: csrfField(page.body),
      user: 'taro',
      method: 'TOTP',
      credential,
    });
    expect(removed.status).toBe(303);
    expect(await gw.runtime.gateway.credentials.list('taro', 'TOTP')).toEqual([]);

    const cleared = await admin.post('/_sekisho/admin/user/recovery-clear', {
      _csrf: csrfField(page.body),
      user: 'taro',
    });
    expect(cleared.status).toBe(303);
    expect(await gw.runtime.gateway.recoveryCodes.countUnused('taro')).toBe(0);

    const issued = await admin.post('/_sekisho/admin/user/issue-activation', {
      _csrf: csrfField(page.body),
      user: 'taro',
    });
    expect(issued.status).toBe(200);
    const url = unescapeHtml(/<code id="activation-url">([^<]+)<\/code>/.exec(issued.body)?.[1] ?? '');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:8080\/_sekisho\/me\/activate\?code=[\w-]{32}$/);
    const code = new URL(url).searchParams.get('code') ?? '';
    const { rows } = await gw.runtime.pool.query('SELECT 1 FROM factor_activations WHERE code_hash = $1', [
      code,
    ]);
    expect(rows).toHaveLength(0);

    const events = (await auditRows(gw)).filter((row) => row.userId === 'taro').map((row) => row.event);
    expect(events).toEqual(
      expect.arrayContaining(['credential.removed', 'recovery.cleared', 'credential.activation_issued']),
    );
    const removal = (await auditRows(gw, 'credential.removed'))[0];
    expect(removal?.actor).toBe('boss');
  });
});
