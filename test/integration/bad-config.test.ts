import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { startBackedGateway, type BackedGateway } from '../support/backed-gateway.ts';
import { FormClient } from '../support/browser-client.ts';
import { addUser, type TestGateway } from '../support/gateway.ts';

describe('bad configuration is refused, naming the key', () => {
  it('names every bad key path in one report', () => {
    const result = loadConfig({
      env: {},
      overrides: { session: { idleTimeoutSeconds: 'x' }, backends: { bk01: { url: 'nope' } } },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.errors.join('\n');
    expect(text).toContain('session.idleTimeoutSeconds');
    expect(text).toContain('backends.bk01.url');
    expect(result.errors.length).toBeGreaterThanOrEqual(2);
    for (const line of result.errors) expect(line).not.toContain('\n');
  });

  it('accepts the same sections when they are valid (the control case)', () => {
    const result = loadConfig({
      env: {},
      overrides: {
        session: { idleTimeoutSeconds: 600 },
        backends: { bk01: { url: 'http://127.0.0.1:9201' } },
      },
    });
    expect(result.ok).toBe(true);
  });
});

describe('a bad rule is refused and the rules in force stay', () => {
  let gw: TestGateway;
  let backed: BackedGateway;
  let client: FormClient;

  beforeAll(async () => {
    backed = await startBackedGateway({ backends: ['bk01'], rules: ['/bk01/=ALL;;'] });
    gw = backed.gw;
    const password = await addUser(gw, 'taro');
    client = new FormClient(gw.url);
    expect((await client.login('taro', password, '/bk01/')).status).toBe(303);
  });
  afterAll(async () => {
    await backed?.close();
  });

  it('rejects a rule with an unknown method, naming the methods field', async () => {
    await expect(gw.admin.setRule('/bk01/=ALL;;NOPE', 'test')).rejects.toThrow(/methods/);
  });

  it.each([
    ['bk01/=ALL;;', /path-prefix/],
    ['/bk01=ALL;;', /path-prefix/],
    ['/bk01/=;;', /allow/],
    ['/bk01/=ALL;@;', /deny/],
    ['/bk01/=ALL;;SMSOTP,', /methods/],
  ])('rejects %j naming the field', async (line, field) => {
    await expect(gw.admin.setRule(line, 'test')).rejects.toThrow(field);
  });

  it('keeps serving the old rules after the refusals', async () => {
    await gw.runtime.watcher.poll();
    const stored = await gw.runtime.gateway.ruleRepository.list();
    expect(stored.map((rule) => rule.line)).toEqual(['/bk01/=ALL;;']);
    const app = await client.get('/bk01/still');
    expect(app.status).toBe(200);
    expect(JSON.parse(app.body).headers['x-remote-user']).toBe('taro');
    expect((await new FormClient(gw.url).get('/bk01/still')).status).toBe(302);
  });
});
