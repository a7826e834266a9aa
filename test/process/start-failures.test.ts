import { execFileSync } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSekisho } from '../support/cli.ts';
import { databaseUrl } from '../support/env.ts';
import { writeServerConfig, type ServerFixture } from '../support/server-process.ts';

const bin = fileURLToPath(new URL('../../bin/sekisho.js', import.meta.url));

/** A port some other program listens on. */
function takePort(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** The machine's own Node (first on PATH outside the project) when it is older than 22.18, or null. */
function oldSystemNode(): { path: string; version: string } | null {
  for (const path of ['/usr/bin/node', '/usr/local/bin/node', '/bin/node']) {
    try {
      const version = execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
      const [major = 0, minor = 0] = version.split('.').map(Number);
      if (major < 22 || (major === 22 && minor < 18)) return { path, version };
    } catch {
      // Not installed there.
    }
  }
  return null;
}

describe('a start that cannot succeed says why in one line and exits 1', () => {
  let taken: Server;
  let port: number;
  const fixtures: ServerFixture[] = [];
  beforeAll(async () => {
    taken = await takePort();
    port = (taken.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => taken.close(resolve));
    for (const fixture of fixtures) await fixture.cleanup();
  });
  const inUse = () =>
    `sekisho: listen: 127.0.0.1:${port} is already in use (another Sekisho, or another program, listens there): stop it, or choose another port with PORT=… or listen.port (PORT=0 takes any free port)`;

  it('sekisho serve on a taken port: exit 1, one line, nothing left running', async () => {
    const fixture = writeServerConfig({ listen: { host: '127.0.0.1', port } });
    fixtures.push(fixture);
    // Postgres and Redis are connected by then: they must not keep the process alive.
    const run = await runSekisho(['serve', '--config', fixture.file], { timeoutMs: 30_000 });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([inUse()]);
  });

  it('with cluster.workers: 2, the supervisor says it once and starts no worker', async () => {
    const fixture = writeServerConfig({ listen: { host: '127.0.0.1', port }, cluster: { workers: 2 } });
    fixtures.push(fixture);
    const run = await runSekisho(['serve', '--config', fixture.file], { timeoutMs: 30_000 });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([inUse()]);
    expect(run.stdout).not.toContain('worker');
  });

  it('with cluster.workers: 2, workers that cannot start stop the supervisor too (no endless respawning)', async () => {
    const networks = { office: ['10.20.0.0/16'] };
    const fixture = writeServerConfig({ cluster: { workers: 2 }, networks });
    fixtures.push(fixture);
    expect((await runSekisho(['migrate', '--config', fixture.file])).code).toBe(0);
    const set = await runSekisho(['rule', 'set', '/bk01/=ALL;;;from=office', '--config', fixture.file]);
    expect(set.code, set.stderr).toBe(0);
    // The same schema, but a config that no longer names the network: every worker fails to load the rules.
    const without = writeServerConfig({
      cluster: { workers: 2 },
      database: { url: databaseUrl, schema: fixture.schema },
    });
    fixtures.push(without);
    const run = await runSekisho(['serve', '--config', without.file], { timeoutMs: 60_000 });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('from: unknown network');
    expect(run.stdout).toContain('gateway worker failed to start; stopping');
    expect(run.stdout).not.toContain('starting another');
  });

  it('on the machine’s older Node, the sekisho command says which Node it needs and how to get it', () => {
    const old = oldSystemNode();
    // This machine's Node is older than the project's (the reason the project pins its own).
    expect(old, 'a Node older than 22.18 at /usr/bin/node or /usr/local/bin/node').not.toBeNull();
    let failure: { status: number; stderr: string } | null = null;
    try {
      execFileSync(old?.path ?? '', [bin, 'rule', 'list'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      failure = error as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(1);
    expect(failure?.stderr.trim().split('\n')).toEqual([
      `sekisho: needs Node 22.18 or later (this is ${old?.version}); in the project, \`npx sekisho …\` or \`npm run -s sekisho -- …\` bring the pinned Node (after \`npm ci\`)`,
    ]);
  });

  it('on the pinned Node, the same command runs', async () => {
    const run = await runSekisho(['--help'], { entry: bin });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('usage: sekisho <command>');
  });
});
