import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema } from '../support/gateway.ts';
import { runSekisho } from '../support/cli.ts';
import { databaseUrl, redisUrl, uniqueName } from '../support/env.ts';

/** `sekisho doctor` as an operator runs it: a config file, real Postgres and Redis. */
describe('sekisho doctor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sekisho-doctor-'));
  const schema = uniqueName('doctor');
  const secret = 'q8V1mZp3Lr7Tn2Ks9Wd4Hy6Bc0Fj5Gx1Nv8Re3Ua7Yt';

  function configFile(name: string, yaml: string): string {
    const file = join(dir, name);
    writeFileSync(file, yaml);
    return file;
  }
  const production = (extra = '') =>
    [
      'publicUrl: https://gw.example.co.jp',
      'trustProxy: [10.0.0.10, 10.0.0.11]',
      `database: { url: "${databaseUrl}", schema: ${schema} }`,
      `redis: { url: "${redisUrl}", keyPrefix: "${schema}:" }`,
      `secret: ${secret}`,
      extra,
    ].join('\n');

  beforeAll(async () => {
    const file = configFile('setup.yaml', production());
    expect((await runSekisho(['migrate', '--config', file])).code).toBe(0);
    // The rules below name @admins: rule set refuses a group that does not exist.
    expect((await runSekisho(['group', 'add', 'admins', '--config', file])).code).toBe(0);
  });
  afterAll(async () => {
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a configuration that meets the baseline: no findings, exit 0', async () => {
    const file = configFile('good.yaml', production());
    const rules = ['/_sekisho/admin/=@admins;;MAMORU', '/bk01/=ALL;;MAMORU', '/public/=ALL;;BYPASS'];
    for (const rule of rules)
      expect((await runSekisho(['rule', 'set', rule, '--config', file])).code).toBe(0);
    const run = await runSekisho(['doctor', '--config', file]);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('no findings: the configuration meets the security baseline');
    expect(run.code).toBe(0);
  });

  it('prints each finding with its fix and exits 1 when one is high', async () => {
    const file = configFile(
      'bad.yaml',
      production('session: { idleTimeoutSeconds: 3600 }').replace('https://gw', 'http://gw'),
    );
    await runSekisho(['rule', 'set', '/=ALL;;BYPASS', '--config', file]);
    await runSekisho(['rule', 'set', '/_sekisho/admin/=@admins;;', '--config', file]);
    // Saved on purpose with the override: doctor still names it, with what it likely meant.
    const typo = await runSekisho([
      'rule',
      'set',
      '/bk09/=@admin;;MAMORU',
      '--allow-unknown',
      '--config',
      file,
    ]);
    expect(typo.code).toBe(0);
    const run = await runSekisho(['doctor', '--config', file]);
    expect(run.code).toBe(1);
    for (const id of ['public-url-http', 'idle-timeout-long', 'bypass-root', 'admin-single-factor']) {
      expect(run.stdout).toContain(`[${id}]`);
    }
    expect(run.stdout).toMatch(/HIGH {3}\/=ALL;;BYPASS \[bypass-root\]\n.+\n {7}fix: /);
    expect(run.stdout).toMatch(
      /\/bk09\/=@admin;;MAMORU \[rule-unknown-principal\]\n.*allow names @admin, which is no user or group in the auth DB \(did you mean @admins\?\)/,
    );
    expect(run.stdout).toContain('5 findings: 4 high, 1 medium, 0 low');
    expect(run.stderr.trim()).toBe('sekisho: doctor: 4 high findings: fix them first');
    // Read-only: the rules are as they were.
    const list = await runSekisho(['rule', 'list', '--config', file]);
    expect(list.stdout).toContain('/=ALL;;BYPASS');
  });

  it('names a stored rule whose from= network this configuration no longer defines', async () => {
    const schemaOwn = uniqueName('doctor_net');
    const withOffice = configFile(
      'office.yaml',
      production('networks: { office: [10.20.0.0/16] }').replaceAll(schema, schemaOwn),
    );
    const without = configFile('no-office.yaml', production().replaceAll(schema, schemaOwn));
    try {
      expect((await runSekisho(['migrate', '--config', withOffice])).code).toBe(0);
      expect(
        (await runSekisho(['rule', 'set', '/bk01/=ALL;;;from=office', '--config', withOffice])).code,
      ).toBe(0);
      const run = await runSekisho(['doctor', '--config', without]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /\[rule-unknown-network\]\n.*names a network the configuration does not define/,
      );
      expect(run.stdout).not.toContain('[rule-invalid]');
    } finally {
      await dropSchema(schemaOwn);
    }
  });

  it('reports an unmigrated schema and an unreachable Redis', async () => {
    const file = configFile(
      'unreachable.yaml',
      production()
        .replace(`schema: ${schema}`, `schema: ${uniqueName('empty')}`)
        .replace(redisUrl, 'redis://127.0.0.1:1'),
    );
    const run = await runSekisho(['doctor', '--config', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('HIGH   database [database-not-migrated]');
    expect(run.stdout).toContain('fix: run `sekisho migrate` with this config');
    expect(run.stdout).toContain('HIGH   redis.url [redis-unreachable]');
  });

  it('fails a sandbox in a failover list and the sandbox page, whatever the URL (the demo alone may have them)', async () => {
    const sms = [
      'sms:',
      '  provider: [karaden, sandbox]',
      '  karaden: { tenantId: 6a8b2c1e-3f4d-4e5a-9b6c-7d8e9f0a1b2c, serviceId: 1, token: token }',
      '  callbackSecret: callback-secret-0123456789',
      '  sandbox: { enabled: true, page: true }',
    ].join('\n');
    const file = configFile('sandbox.yaml', production(sms));
    const run = await runSekisho(['doctor', '--config', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('HIGH   sms.sandbox.enabled [sms-sandbox-enabled]');
    expect(run.stdout).toContain('HIGH   sms.sandbox.page [sms-sandbox-page]');
  });

  it('exits 2 on bad usage and 1 on a bad config file', async () => {
    expect((await runSekisho(['doctor', 'extra'])).code).toBe(2);
    const broken = configFile('broken.yaml', 'session: { idleTimeoutSeconds: 1 }');
    const run = await runSekisho(['doctor', '--config', broken]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('sekisho: config: session.idleTimeoutSeconds: must be an integer from 60');
  });
});
