import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema } from '../support/gateway.ts';
import { databaseUrl, uniqueName } from '../support/env.ts';
import { runSekisho } from '../support/cli.ts';

const sekisho = runSekisho;

describe('sekisho CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sekisho-cli-'));
  const schema = uniqueName('cli');
  const config = join(dir, 'sekisho.yaml');
  const withConfig = (...args: string[]) => [...args, '--config', config];

  beforeAll(() => {
    writeFileSync(
      config,
      `database: { url: "${databaseUrl}", schema: ${schema} }\nsecret: "${'s'.repeat(40)}"\n`,
    );
  });
  afterAll(async () => {
    await dropSchema(schema);
  });

  it('exits 2 on an unknown command or flag, with one line on stderr', async () => {
    const unknown = await sekisho(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const badFlag = await sekisho(withConfig('rule', 'list', '--bogus'));
    expect(badFlag.code).toBe(2);
  });

  it('migrates idempotently', async () => {
    const first = await sekisho(withConfig('migrate'));
    expect(first.code, first.stderr).toBe(0);
    const second = await sekisho(withConfig('migrate'));
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('up to date');
  });

  it('adds users with a phone stored as E.164 (as the console and /me store it), and never shows the hash', async () => {
    const bad = await sekisho(withConfig('user', 'add', 'taro', '--phone', '090-1234', '--password-stdin'), {
      stdin: 'correct horse battery\n',
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('phone "090-1234" is not a phone number');
    expect((await sekisho(withConfig('group', 'add', 'keiri'))).code).toBe(0);
    const good = await sekisho(
      withConfig('user', 'add', 'taro', '--phone', '090-1234-5678', '--group', 'keiri', '--password-stdin'),
      { stdin: 'correct horse battery\n' },
    );
    expect(good.code, good.stderr).toBe(0);
    const shown = await sekisho(withConfig('user', 'show', 'taro'));
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: 'taro', phone: '+819012345678', groups: ['keiri'] });
    expect(shown.stdout).not.toContain('argon2');
    const duplicate = await sekisho(withConfig('user', 'add', 'taro', '--password-stdin'), {
      stdin: 'another password\n',
    });
    expect(duplicate.code).toBe(1);
  });

  it('refuses a bad rule naming the field and keeps the rules as they were', async () => {
    expect((await sekisho(withConfig('rule', 'set', '/bk01/=ALL;;'))).code).toBe(0);
    const bad = await sekisho(withConfig('rule', 'set', '/bk01/=ALL;;NOPE'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/methods/);
    const missingField = await sekisho(withConfig('rule', 'set', '/bk02/=ALL;'));
    expect(missingField.code).toBe(1);
    expect(missingField.stderr).toMatch(/line/);
    const list = await sekisho(withConfig('rule', 'list'));
    expect(list.stdout).toContain('/bk01/=ALL;;');
    expect(list.stdout).not.toContain('NOPE');
  });

  it('imports all or nothing, exports what it imported, explains and deletes', async () => {
    const badFile = join(dir, 'bad.rules');
    writeFileSync(badFile, '/a/=ALL;;\n/b/=;;\n/c/=ALL;;BOGUS\n');
    const bad = await sekisho(withConfig('rule', 'import', badFile));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/line 2: allow/);
    expect(bad.stderr).toMatch(/line 3: methods/);
    expect((await sekisho(withConfig('rule', 'list'))).stdout).not.toContain('/a/=');

    const goodFile = join(dir, 'good.rules');
    writeFileSync(goodFile, '# demo\n/keiri/=@keiri;taro;\n/public/=ALL;;BYPASS\n');
    expect((await sekisho(withConfig('rule', 'import', goodFile, '--replace'))).code).toBe(0);
    const exported = await sekisho(withConfig('rule', 'export'));
    expect(exported.stdout).toContain('/keiri/=@keiri;taro;');
    expect(exported.stdout).not.toContain('/bk01/');

    const explained = await sekisho(withConfig('rule', 'explain', '/keiri/report', '--user', 'taro'));
    expect(explained.code, explained.stderr).toBe(0);
    expect(explained.stdout).toContain('/keiri/=@keiri;taro;');
    expect(explained.stdout).toMatch(/deny|denied|forbidden/i);

    expect((await sekisho(withConfig('rule', 'del', '/public/'))).code).toBe(0);
    const missing = await sekisho(withConfig('rule', 'del', '/public/'));
    expect(missing.code).toBe(1);
    const history = await sekisho(withConfig('rule', 'history'));
    expect(history.stdout).toContain('(deleted /public/)');
  });

  it('stops before listening when the config is bad, naming every key', async () => {
    const badConfig = join(dir, 'bad.yaml');
    writeFileSync(badConfig, 'listen: { port: 99999 }\nsession: { idleTimeoutSeconds: -1 }\nbogus: 1\n');
    const run = await sekisho(['serve', '--config', badConfig]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('listen.port');
    expect(run.stderr).toContain('session.idleTimeoutSeconds');
    expect(run.stderr).toContain('bogus');
  });
});
