import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from './wait-for.ts';

/** One throwaway `redis-server` process (a data node or the Sentinel) on its own port. */
export interface RedisProcess {
  readonly port: number;
  /** An ioredis client to exactly this process (no Sentinel lookup). */
  readonly client: Redis;
  readonly child: ChildProcess;
  /** Its log, for the message of a failing wait. */
  readonly log: string[];
  /** SIGKILL, then waits for the exit (no-op once it has exited). */
  kill(): Promise<void>;
}

/**
 * A primary, one replica and one Sentinel watching them (quorum 1), all on free 127.0.0.1
 * ports and in one temporary directory; nothing is shared with the suite's Redis.
 */
export interface SentinelGroup {
  readonly name: string;
  readonly sentinel: RedisProcess;
  /** The two data nodes, in start order: [the first primary, the first replica]. */
  readonly nodes: readonly [RedisProcess, RedisProcess];
  /** The primary's port as the Sentinel reports it (`SENTINEL get-master-addr-by-name`). */
  primaryPort(): Promise<number>;
  /** Waits until the Sentinel lists `port` as a replica that is up and in sync; returns the ms it took. */
  awaitPromotableReplica(port: number, deadlineMs: number): Promise<number>;
  /** Kills every process and removes the directory. */
  close(): Promise<void>;
}

/** How the group guards itself; by default nothing asks for a password. */
export interface SentinelGroupOptions {
  /**
   * The data nodes' password, as deploy/production sets it: `requirepass` and `masterauth` on
   * both (either may become the primary), and `sentinel auth-pass` on the Sentinel. The Sentinel
   * itself still takes connections without one, as in production.
   */
  readonly password?: string;
}

export async function startSentinelGroup(
  name: string,
  options: SentinelGroupOptions = {},
): Promise<SentinelGroup> {
  const { password } = options;
  const dir = mkdtempSync(join(tmpdir(), 'sekisho-sentinel-'));
  const started: RedisProcess[] = [];
  const close = async () => {
    await Promise.all(started.map((p) => p.kill()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const primary = await startRedis(started, dir, 'primary', password, []);
    const replica = await startRedis(started, dir, 'replica', password, [
      '--replicaof',
      '127.0.0.1',
      `${primary.port}`,
    ]);
    await waitFor(
      async () => /master_link_status:up/.test(await replica.client.info('replication')),
      10_000,
      'the replica in sync with the primary',
    );
    const sentinel = await startSentinel(started, dir, name, primary.port, password);
    const group: SentinelGroup = {
      name,
      sentinel,
      nodes: [primary, replica],
      primaryPort: async () => {
        const addr = (await sentinel.client.call('SENTINEL', 'get-master-addr-by-name', name)) as string[];
        return Number(addr[1]);
      },
      awaitPromotableReplica: (port, deadlineMs) =>
        waitFor(
          async () => {
            const replicas = (await sentinel.client.call('SENTINEL', 'replicas', name)) as string[][];
            return replicas.some((fields) => {
              const info = pairs(fields);
              return info.port === `${port}` && info.flags === 'slave' && info['master-link-status'] === 'ok';
            });
          },
          deadlineMs,
          `the sentinel sees 127.0.0.1:${port} as a healthy replica`,
        ),
      close,
    };
    await group.awaitPromotableReplica(replica.port, 10_000);
    return group;
  } catch (error) {
    await close();
    throw error;
  }
}

/** A port nothing listens on right now: bind port 0, note it, let it go. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startRedis(
  started: RedisProcess[],
  dir: string,
  label: string,
  password: string | undefined,
  extra: string[],
) {
  const port = await freePort();
  const nodeDir = join(dir, label);
  mkdirSync(nodeDir);
  const args = ['--port', `${port}`, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const auth = password === undefined ? [] : ['--requirepass', password, '--masterauth', password];
  return launch(started, port, [...args, ...auth, '--dir', nodeDir, ...extra], password);
}

async function startSentinel(
  started: RedisProcess[],
  dir: string,
  name: string,
  primaryPort: number,
  password: string | undefined,
) {
  const port = await freePort();
  const file = join(dir, 'sentinel.conf');
  // Sentinel rewrites its own config file (the current primary, known replicas), so it is its own.
  writeFileSync(
    file,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 1`,
      ...(password === undefined ? [] : [`sentinel auth-pass ${name} ${password}`]),
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 3000`,
      '',
    ].join('\n'),
  );
  return launch(started, port, [file, '--sentinel']);
}

/**
 * Spawns redis-server and resolves once it accepts connections (its log says so); the
 * process's own client authenticates with `password`.
 */
async function launch(
  started: RedisProcess[],
  port: number,
  args: string[],
  password?: string,
): Promise<RedisProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const client = new Redis({ host: '127.0.0.1', port, password, lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  const proc: RedisProcess = {
    port,
    client,
    child,
    log,
    kill: async () => {
      client.disconnect();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  started.push(proc);
  await new Promise<void>((resolve, reject) => {
    const onData = (text: string) => {
      log.push(text);
      // A data node says it is ready; a Sentinel (7.0) says so by announcing what it monitors.
      if (/Ready to accept connections|\+monitor master/.test(log.join(''))) resolve();
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.stderr?.setEncoding('utf8').on('data', onData);
    void exited.then(() => reject(new Error(`redis-server ${args.join(' ')} exited: ${log.join('')}`)));
  });
  await client.connect();
  return proc;
}

/** Sentinel answers a flat [field, value, field, value, …] list per instance. */
function pairs(fields: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i] as string] = fields[i + 1] as string;
  return out;
}
