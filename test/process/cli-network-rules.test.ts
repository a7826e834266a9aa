import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSekisho } from '../support/cli.ts';
import { databaseUrl, uniqueName } from '../support/env.ts';
import { dropSchema } from '../support/gateway.ts';

/**
 * "Password from the office, password and an SMS code from home, a fresh SMS code every 15
 * minutes for the payroll admin pages" as three `sekisho rule set` lines, and what
 * `sekisho rule explain` says about them; rules that differ only in from= set, listed and
 * deleted one by one; bad networks in the config and in rules refused, named.
 */
describe('sekisho rule with networks and reauth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sekisho-netrules-'));
  const schema = uniqueName('netrules');
  const config = join(dir, 'sekisho.yaml');
  const sekisho = (...args: string[]) => runSekisho([...args, '--config', config]);
  const withStdin = (stdin: string, ...args: string[]) =>
    runSekisho([...args, '--config', config], { stdin });

  beforeAll(async () => {
    writeFileSync(
      config,
      [
        `database: { url: "${databaseUrl}", schema: ${schema} }`,
        `secret: "${'s'.repeat(40)}"`,
        'sms: { provider: sandbox, sandbox: { enabled: true } }',
        'networks:',
        '  office: [10.20.0.0/16, "fd20::/16"]',
        '',
      ].join('\n'),
    );
    const migrated = await sekisho('migrate');
    expect(migrated.code, migrated.stderr).toBe(0);
    expect((await sekisho('group', 'add', 'payroll')).code).toBe(0);
    const added = await withStdin(
      'correct horse battery\n',
      'user',
      'add',
      'hanako',
      '--group',
      'payroll',
      '--password-stdin',
    );
    expect(added.code, added.stderr).toBe(0);
  });
  afterAll(async () => {
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets the three lines, each rule keyed by its prefix and network', async () => {
    for (const line of [
      '/bk01/=ALL;;;from=office',
      '/bk01/=ALL;;SMSOTP',
      '/bk01/payroll/admin/=@payroll;;SMSOTP;reauth=15m',
    ]) {
      const set = await sekisho('rule', 'set', line);
      expect(set.code, set.stderr).toBe(0);
    }
    // The same prefix and network again replaces that rule only.
    expect((await sekisho('rule', 'set', '/bk01/=ALL;;;from=office,reauth=8h')).code).toBe(0);
    expect((await sekisho('rule', 'set', '/bk01/=ALL;;;from=office')).code).toBe(0);
    const exported = (await sekisho('rule', 'export')).stdout.split('\n').filter((l) => l.startsWith('/'));
    expect(exported).toEqual([
      '/bk01/payroll/admin/=@payroll;;SMSOTP;reauth=15m',
      '/bk01/=ALL;;;from=office',
      '/bk01/=ALL;;SMSOTP',
    ]);
  });

  it('explains which rule decides from inside and outside, and how fresh a proof must be', async () => {
    const office = await sekisho('rule', 'explain', '/bk01/app', '--client', '10.20.3.4', '--user', 'hanako');
    expect(office.code, office.stderr).toBe(0);
    expect(office.stdout).toContain('client: 10.20.3.4');
    expect(office.stdout).toContain('rule: /bk01/=ALL;;;from=office');
    expect(office.stdout).toContain(
      'from=office: client 10.20.3.4 is in network office (10.20.0.0/16, fd20::/16)',
    );
    expect(office.stdout).toContain('requires: password');

    const home = await sekisho('rule', 'explain', '/bk01/app', '--client', '198.51.100.7');
    expect(home.stdout).toContain('rule: /bk01/=ALL;;SMSOTP');
    expect(home.stdout).toContain('requires: password -> SMSOTP');

    const fresh = await sekisho('rule', 'explain', '/bk01/payroll/admin/', '--user', 'hanako', '--age', '3m');
    expect(fresh.stdout).toContain('reauth=15m: SMSOTP must have been proven within the last 15m');
    expect(fresh.stdout).toContain('SMSOTP proven 3m ago: fresh');
    expect(fresh.stdout).toContain('decision: allow');
    const stale = await sekisho(
      'rule',
      'explain',
      '/bk01/payroll/admin/',
      '--user',
      'hanako',
      '--age',
      '20m',
    );
    expect(stale.stdout).toContain('SMSOTP proven 20m ago: stale, asked again (the session is kept)');
    expect(stale.stdout).toContain('decision: authenticate; next: SMSOTP');

    const badClient = await sekisho('rule', 'explain', '/bk01/', '--client', 'office');
    expect(badClient.code).toBe(2);
    expect(badClient.stderr).toContain('--client');
  });

  it('refuses a rule naming an unknown network or a bad duration, naming the field', async () => {
    const network = await sekisho('rule', 'set', '/bk02/=ALL;;;from=overseas');
    expect(network.code).toBe(1);
    expect(network.stderr).toContain('from: unknown network "overseas" (known: office)');
    const reauth = await sekisho('rule', 'set', '/bk02/=ALL;;SMSOTP;reauth=15');
    expect(reauth.code).toBe(1);
    expect(reauth.stderr).toContain('reauth: "15" is not a duration');
  });

  it('deletes the office rule with --from, leaving the rule for every client', async () => {
    const wrong = await sekisho('rule', 'del', '/bk01/', '--from', 'home');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('no rule for /bk01/ from=home');
    expect((await sekisho('rule', 'del', '/bk01/', '--from', 'office')).code).toBe(0);
    const listed = (await sekisho('rule', 'export')).stdout;
    expect(listed).toContain('/bk01/=ALL;;SMSOTP');
    expect(listed).not.toContain('from=office');
    const history = await sekisho('rule', 'history');
    expect(history.stdout).toContain('(deleted /bk01/ from=office)');
    // A rollback brings back that very rule, beside the other one.
    const version = /^(\d+)\t.*\t\/bk01\/=ALL;;;from=office$/m.exec(history.stdout)?.[1] ?? '';
    expect((await sekisho('rule', 'rollback', version)).code).toBe(0);
    expect((await sekisho('rule', 'export')).stdout).toContain('/bk01/=ALL;;;from=office');
  });

  it('refuses a config with a bad network, naming the key', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      `database: { url: "${databaseUrl}", schema: ${schema} }\nnetworks: { office: [10.20.0.1/16], vpn: [] }\n`,
    );
    const run = await runSekisho(['rule', 'list', '--config', bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('networks.office.0');
    expect(run.stderr).toContain('host bits set beyond /16');
    expect(run.stderr).toContain('networks.vpn');
  });
});
