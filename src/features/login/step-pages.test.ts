import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FormClient } from '../../../test/support/browser-client.ts';
import { addUser, setRules } from '../../../test/support/gateway.ts';
import { buildTestApp, type TestApp } from '../../../test/support/test-app.ts';

describe('a step that cannot go on, after the password', () => {
  let gw: TestApp;
  let password: string;

  beforeAll(async () => {
    gw = await buildTestApp({ config: { sms: { provider: 'sandbox', sandbox: { enabled: true } } } });
    await setRules(gw, '/bk01/=ALL;;', '/bk03/=ALL;;SMSOTP|MAMORU');
    password = await addUser(gw, 'jiro', { phone: '+818011114321' });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('offers the other ways with what the user holds, reading the user once', async () => {
    const client = new FormClient(gw.app);
    expect((await client.login('jiro', password, '/bk01/')).status).toBe(303);
    // The login changed the user's row; the change watcher reads the user for it. Done now, so
    // that its timer cannot land inside the count below (it did on a loaded CI machine).
    await gw.runtime.watcher.poll();
    const find = vi.spyOn(gw.runtime.gateway.users, 'find');
    try {
      const page = await client.get('/_sekisho/mfa/MAMORU?next=%2Fbk03%2F');
      expect(page.status).toBe(403);
      expect(page.body).toContain('name="way" value="SMSOTP">SMS認証コード（080-****-4321）</button>');
      expect(find).toHaveBeenCalledTimes(1);
    } finally {
      find.mockRestore();
    }
  });
});
