import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSekisho } from '../support/cli.ts';
import { writeServerConfig, type ServerFixture } from '../support/server-process.ts';

/**
 * The real entry points: a logo that cannot be served stops `sekisho serve` before it listens,
 * naming `branding.logo`; `sekisho user add` refuses an ID that differs from a stored one only in
 * letter case, naming the stored one.
 */
describe('the login page’s configuration and IDs, through the real CLI', () => {
  const fixtures: ServerFixture[] = [];
  afterAll(async () => {
    for (const fixture of fixtures) await fixture.cleanup();
  });

  it('sekisho serve with a missing logo: refused before listening, the key named', async () => {
    const logo = join('/nonexistent', 'logo.svg');
    const fixture = writeServerConfig({ branding: { logo } });
    fixtures.push(fixture);
    const run = await runSekisho(['serve', '--config', fixture.file], { timeoutMs: 30_000 });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      `sekisho: config: branding.logo: cannot read ${logo} (ENOENT)`,
    ]);
    expect(run.stdout).not.toContain('Server listening');
  });

  it('sekisho user add Demo when demo exists: refused in one line naming demo', async () => {
    const fixture = writeServerConfig({});
    fixtures.push(fixture);
    const sekisho = (args: string[], stdin?: string) =>
      runSekisho([...args, '--config', fixture.file], { stdin, timeoutMs: 30_000 });
    expect((await sekisho(['migrate'])).code).toBe(0);
    expect((await sekisho(['user', 'add', 'demo', '--password-stdin'], 'pw-0123456789\n')).code).toBe(0);
    const clash = await sekisho(['user', 'add', 'Demo', '--password-stdin'], 'pw-0123456789\n');
    expect(clash.code).toBe(1);
    expect(clash.stderr.trim().split('\n')).toEqual([
      'sekisho: user Demo: user demo exists, and IDs that differ only in letter case are the same ID at login',
    ]);
    const list = await sekisho(['user', 'list']);
    expect(list.stdout).toMatch(/^demo\b/m);
    expect(list.stdout).not.toMatch(/^Demo\b/m);
  });
});
