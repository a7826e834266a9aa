import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSekisho } from '../support/cli.ts';
import { databaseUrl, uniqueName } from '../support/env.ts';
import { dropSchema } from '../support/gateway.ts';

/**
 * `sekisho rule set` and `rule import` refuse a rule naming a user or group the auth DB does not
 * know, with "did you mean …", and save it only with `--allow-unknown`; `rule list` shows the
 * console's built-in rule as the console does, and `rule export` leaves it out.
 */
describe('sekisho rule: unknown users and groups, and the built-in console rule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sekisho-principals-'));
  const schema = uniqueName('principals');
  const config = join(dir, 'sekisho.yaml');
  const sekisho = (...args: string[]) => runSekisho([...args, '--config', config]);
  const exported = async () =>
    (await sekisho('rule', 'export')).stdout.split('\n').filter((line) => line.startsWith('/'));

  beforeAll(async () => {
    writeFileSync(
      config,
      [
        `database: { url: "${databaseUrl}", schema: ${schema} }`,
        `secret: "${'s'.repeat(40)}"`,
        'sms: { provider: sandbox, sandbox: { enabled: true } }',
        '',
      ].join('\n'),
    );
    expect((await sekisho('migrate')).code).toBe(0);
    for (const group of ['admins', 'keiri']) expect((await sekisho('group', 'add', group)).code).toBe(0);
    const added = await runSekisho(['user', 'add', 'taro', '--no-password', '--config', config]);
    expect(added.code, added.stderr).toBe(0);
  });
  afterAll(async () => {
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses @admin and a group written without @, suggesting the known names; nothing is saved', async () => {
    const typo = await sekisho('rule', 'set', '/bk01/=@admin;;');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('rule: allow: no group "@admin" (did you mean "@admins"?)');
    expect(typo.stderr).toContain('--allow-unknown');
    const bare = await sekisho('rule', 'set', '/bk01/=taro,keiri;@keiry;');
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain('rule: allow: no user "keiri" (did you mean "@keiri"?)');
    expect(bare.stderr).toContain('rule: deny: no group "@keiry" (did you mean "@keiri"?)');
    expect(await exported()).toEqual([]);
  });

  it('saves an unknown name with --allow-unknown, and known names without it', async () => {
    expect((await sekisho('rule', 'set', '/bk01/=@keiri,taro;;')).code).toBe(0);
    const later = await sekisho('rule', 'set', '/bk02/=@soumu;;', '--allow-unknown');
    expect(later.code, later.stderr).toBe(0);
    expect(later.stdout).toContain('rule set: /bk02/=@soumu;;');
    expect(await exported()).toEqual(['/bk01/=@keiri,taro;;', '/bk02/=@soumu;;']);
  });

  it('refuses an import naming unknown principals, each by its line in the file; --allow-unknown imports it', async () => {
    const file = join(dir, 'rules.txt');
    writeFileSync(file, ['# payroll', '/bk03/=@keiri;;', '', '/bk04/=@Admins;hanako;'].join('\n'));
    const refused = await sekisho('rule', 'import', file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('rule: line 4: allow: no group "@Admins" (did you mean "@admins"?)');
    expect(refused.stderr).toContain('rule: line 4: deny: no user "hanako"');
    expect(refused.stderr).not.toContain('line 2');
    expect(await exported()).not.toContain('/bk03/=@keiri;;');
    const forced = await sekisho('rule', 'import', file, '--allow-unknown');
    expect(forced.code, forced.stderr).toBe(0);
    expect(await exported()).toContain('/bk04/=@Admins;hanako;');
  });

  it('lists the built-in console rule as the console does; export leaves it out', async () => {
    const listed = await sekisho('rule', 'list');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^\/_sekisho\/admin\/=@admins;;SMSOTP\t# built-in default/m);
    expect((await sekisho('rule', 'export')).stdout).not.toContain('/_sekisho/admin/');
    // Once a console rule is stored, it is listed with its version and the default is gone.
    expect((await sekisho('rule', 'set', '/_sekisho/admin/=@admins,taro;;SMSOTP')).code).toBe(0);
    const after = (await sekisho('rule', 'list')).stdout;
    expect(after).toMatch(/^\/_sekisho\/admin\/=@admins,taro;;SMSOTP\t# v\d+ cli(:\S+)? /m);
    expect(after).not.toContain('built-in default');
  });
});
