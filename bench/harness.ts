/**
 * What every benchmark suite shares: the cores (servers on one, the load on the other), the
 * processes it started (stopped at the end, or when a suite is done), the gateway's options and
 * environment, the nginx reference and small helpers.
 */
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { hashToken } from '../src/core/session-service.ts';
import { dropKeys, dropSchemas } from './drop-data.ts';
import type { BenchGatewayOptions } from './gateway-server.ts';
import { startNginx } from './nginx.ts';
import { hasEnded, pinTo, startServer, stopServer, type Server } from './processes.ts';

const run = promisify(execFile);

export interface HarnessOptions {
  readonly gatewayConfig: Record<string, unknown>;
  readonly gatewayNodeArgs: readonly string[];
  readonly gatewayEnv: Readonly<Record<string, string>>;
  /** The gateway's entry: compiled (as shipped) or the TypeScript sources. */
  readonly gatewayFile: string;
}

/**
 * The floors a run can measure (bench/floor-proxy.ts): the bare one, and `floor-identity`, which
 * also carries what the gateway adds for its backends.
 */
export const floorTargets = ['floor', 'floor-identity'] as const;
export type FloorTarget = (typeof floorTargets)[number];

/** How a bench server is started beyond its file and arguments. */
export interface StartOptions {
  /** Node's own flags (`--perf-basic-prof`, …). */
  readonly nodeArgs?: readonly string[];
  /** Added to the environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** A program Node runs under (valgrind), after the core pinning. */
  readonly wrapper?: readonly string[];
}

export class Harness {
  readonly databaseUrl = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';
  readonly redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  readonly taskset = existsSync('/usr/bin/taskset') ? '/usr/bin/taskset' : null;
  readonly serverCore = pinTo('0', this.taskset);
  readonly loadCore = pinTo('1', this.taskset);
  readonly runId = randomBytes(4).toString('hex');
  readonly options: HarnessOptions;
  private readonly servers: Server[] = [];
  private readonly children: ChildProcess[] = [];
  private readonly dirs: string[] = [];
  private readonly redisPrefixes: string[] = [];
  private readonly schemas: string[] = [];
  /** The clean-up, once begun (see {@link Harness.cleanUp}). */
  private cleaning: Promise<void> | undefined;

  constructor(options: HarnessOptions) {
    this.options = options;
  }

  /**
   * Forks a bench server pinned to the servers' core; `wrapper` runs Node under another program
   * there (valgrind), which keeps its pid and IPC channel.
   */
  async start(name: string, file: string, argv: string[], how: StartOptions = {}): Promise<Server> {
    const { nodeArgs = [], env = {}, wrapper = [] } = how;
    const server = await startServer(name, file, argv, [...this.serverCore, ...wrapper], nodeArgs, env);
    this.servers.push(server);
    return server;
  }

  /** Starts one of the {@link floorTargets}, proxying to `backendUrl`. */
  startFloor(name: FloorTarget, backendUrl: string, how: StartOptions = {}): Promise<Server> {
    const flags = name === 'floor-identity' ? ['--identity'] : [];
    return this.start(name, './floor-proxy.ts', [backendUrl, ...flags], how);
  }

  /** Starts a gateway (bench/gateway-server.ts) as the image ships it, in its own schema and prefix. */
  startGateway(
    name: string,
    options: Omit<BenchGatewayOptions, 'databaseUrl' | 'redisUrl'>,
    under: { readonly wrapper: readonly string[]; readonly nodeArgs: readonly string[] } = {
      wrapper: [],
      nodeArgs: [],
    },
  ): Promise<Server> {
    const full: BenchGatewayOptions = {
      ...options,
      databaseUrl: this.databaseUrl,
      redisUrl: this.redisUrl,
      config: { ...options.config, ...this.options.gatewayConfig },
    };
    const { gatewayFile, gatewayNodeArgs, gatewayEnv } = this.options;
    const nodeArgs = [...gatewayNodeArgs, ...under.nodeArgs];
    return this.start(name, gatewayFile, [JSON.stringify(full)], {
      nodeArgs,
      env: gatewayEnv,
      wrapper: under.wrapper,
    });
  }

  /** A temporary directory of this run, removed at the end. */
  dir(label: string): string {
    const path = join(tmpdir(), `sekisho-bench-${label}-${this.runId}`);
    this.dirs.push(path);
    return path;
  }

  /**
   * A gateway's schema and key prefix, dropped at the end even when the gateway could not drop
   * them itself (it died, or a step before it failed).
   */
  dropAtEnd(schema: string, keyPrefix: string): void {
    this.schemas.push(schema);
    this.redisPrefixes.push(keyPrefix);
  }

  /** Keeps a child (nginx) to stop at the end. */
  adopt(child: ChildProcess): ChildProcess {
    this.children.push(child);
    return child;
  }

  /**
   * nginx as a plain reverse proxy and with `auth_request` to the minimal session checker, which
   * knows each of `sessions` (cookie value → user) by one Redis key. Returns the two ports and
   * the processes that do the proxying.
   */
  async startNginxPair(
    binary: string,
    backendPort: number,
    sessions: ReadonlyMap<string, string>,
  ): Promise<{ plain: number; auth: number; nginxPid: number; checkerPid: number }> {
    const prefix = `sekisho_bench_ck_${this.runId}_${this.redisPrefixes.length}:`;
    this.redisPrefixes.push(prefix);
    const checker = await this.start('checker', './session-checker.ts', [
      this.redisUrl,
      prefix,
      'sekisho_sid',
    ]);
    const redis = new Redis(this.redisUrl);
    const pipeline = redis.pipeline();
    for (const [token, user] of sessions) pipeline.set(`${prefix}sess:${hashToken(token)}`, user, 'EX', 3600);
    await pipeline.exec();
    redis.disconnect();
    const [plain, auth] = [await freePort(), await freePort()];
    const ports = { backend: backendPort, checker: checker.port, plain, auth };
    const nginx = this.adopt(await startNginx(binary, this.dir('nginx'), ports, this.serverCore));
    await waitForPort(auth);
    return { plain, auth, nginxPid: nginx.pid ?? 0, checkerPid: checker.child.pid ?? 0 };
  }

  /** Sets a process's (and all its threads') cores, e.g. to let the KDF use both while logins are made. */
  async setCores(pid: number, cpus: string): Promise<void> {
    if (this.taskset) await run(this.taskset, ['-a', '-p', '-c', cpus, String(pid)]);
  }

  /** Stops some servers now (a suite that is done), gateways gracefully so they drop their data. */
  async stop(servers: readonly Server[]): Promise<void> {
    for (const server of [...servers].reverse()) {
      await stopServer(server, server.name.startsWith('gateway'));
      this.servers.splice(this.servers.indexOf(server), 1);
    }
  }

  /** Stops everything and removes what the run stored; once, however often it is asked (a signal and the run's own end). */
  cleanUp(): Promise<void> {
    this.cleaning ??= this.removeAll();
    return this.cleaning;
  }

  private async removeAll(): Promise<void> {
    for (const child of this.children) {
      if (hasEnded(child)) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await this.stop([...this.servers]);
    await dropKeys(this.redisUrl, this.redisPrefixes);
    await dropSchemas(this.databaseUrl, this.schemas);
    for (const dir of this.dirs) await rm(dir, { recursive: true, force: true });
  }
}

/** Sends a command to a bench server and waits for its `done` (and what came with it). */
export function command<T = unknown>(
  server: Server,
  message: { cmd: string; file?: string; survivors?: boolean },
): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (reply: unknown) => {
      if ((reply as { done?: string }).done !== message.cmd) return;
      server.child.off('message', onMessage);
      resolve(reply as T);
    };
    server.child.on('message', onMessage);
    server.child.send(message);
  });
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Waits until something accepts connections on the port (nginx has no ready message). */
export async function waitForPort(port: number, withinMs = 10_000): Promise<void> {
  const { connect } = await import('node:net');
  const until = Date.now() + withinMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    }).catch(() => false);
    if (open) return;
    if (Date.now() > until) throw new Error(`nothing listens on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
