import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseUrl, redisUrl, uniqueName } from './env.ts';
import { dropSchema, testSecret } from './gateway.ts';
import { dropRedisPrefix } from './redis.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** How the real entry ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** `sekisho serve` as a child process, the way an operator or a container runs it. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** The port it reported in its "Server listening at" log line. */
  readonly port: number;
  readonly url: string;
  /** Its stdout, one pino JSON line each, parsed (non-JSON lines are kept as `{ text }`). */
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<Exit>;
}

/** A config file in its own directory, with a fresh Postgres schema and Redis key prefix. */
export interface ServerFixture {
  readonly file: string;
  readonly schema: string;
  readonly keyPrefix: string;
  /** Drops the schema and the key prefix, and removes the directory. */
  cleanup(): Promise<void>;
}

/**
 * Writes a config file (JSON is YAML) pointed at the test database and Redis, in a schema and
 * key prefix of its own; `config` is merged over the top level.
 */
export function writeServerConfig(config: Record<string, unknown>): ServerFixture {
  const dir = mkdtempSync(join(tmpdir(), 'sekisho-serve-'));
  const schema = uniqueName('srv');
  const keyPrefix = `${uniqueName('kv')}:`;
  const file = join(dir, 'sekisho.yaml');
  const full = {
    listen: { host: '127.0.0.1', port: 0 },
    publicUrl: 'http://127.0.0.1:8080',
    database: { url: databaseUrl, schema, poolSize: 4 },
    redis: { url: redisUrl, keyPrefix },
    secret: testSecret,
    log: { level: 'info' },
    rules: { pollIntervalMs: 200 },
    ...config,
  };
  writeFileSync(file, JSON.stringify(full, null, 2));
  return {
    file,
    schema,
    keyPrefix,
    cleanup: async () => {
      await dropSchema(schema);
      await dropRedisPrefix(keyPrefix);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts `node src/cli/main.ts serve --config FILE` (Node from this process, i.e. the pinned
 * one) with nothing but PATH in its environment, and resolves once it has logged
 * `listeners` "Server listening at" lines (one per cluster worker). `entry`: another entry
 * point (a compiled build's bin/sekisho.js); `nodeArgs`: Node's own options before it.
 */
export async function startServerProcess(
  file: string,
  listeners = 1,
  { entry = main, nodeArgs = [] }: { readonly entry?: string; readonly nodeArgs?: readonly string[] } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, entry, 'serve', '--config', file], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ports: number[] = [];
  const listening = new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      buffered += text;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const entry = parseLine(line);
        lines.push(entry);
        const port = /^Server listening at http:\/\/127\.0\.0\.1:(\d+)$/.exec(String(entry.msg ?? ''))?.[1];
        if (port) ports.push(Number(port));
        if (ports.length === listeners) resolve(ports[0] ?? 0);
      }
    });
    void exited.then((exit) =>
      reject(new Error(`sekisho serve exited (${exit.code ?? exit.signal}) before listening: ${stderr}`)),
    );
  });
  const port = await listening;
  return { child, port, url: `http://127.0.0.1:${port}`, lines, exited };
}

function parseLine(line: string): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { text: line };
  }
}

/** Stops a process this test started if it is still running (after a failure), by its own id. */
export async function killIfRunning(
  server: { readonly child: ChildProcess; readonly exited: Promise<unknown> } | undefined,
): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGKILL');
  await server.exited;
}

/** Whether a new TCP connection to the port is refused (nothing listens there any more). */
export function isRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}
