import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for.ts';

const deploy = fileURLToPath(new URL('../../deploy/', import.meta.url));

/** A reverse proxy of the ops' own (nginx, Caddy) running as a child process on a loopback port. */
export interface FrontProxy {
  readonly url: string;
  readonly port: number;
  /** What the process wrote to stderr (and nginx's error log), for a failing test's message. */
  log(): string;
  close(): Promise<void>;
}

/** The addresses the shipped example configs name, put in place of their placeholders. */
export interface FrontTargets {
  /** The gateway's port (the examples say 8080). */
  readonly gateway: number;
  /** The application's port (the examples say 9201). */
  readonly app: number;
}

export const nginxBinary = ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find((path) => existsSync(path));
export const caddyBinary = ['/usr/bin/caddy', '/usr/local/bin/caddy'].find((path) => existsSync(path));

/** A port nothing listens on at the moment (the proxies take a port number, not 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The shipped file with its addresses replaced: nothing else of it changes. */
function templated(file: string, targets: FrontTargets, site: [string, string][]): string {
  let text = readFileSync(join(deploy, file), 'utf8')
    .replaceAll('127.0.0.1:8080', `127.0.0.1:${targets.gateway}`)
    .replaceAll('127.0.0.1:9201', `127.0.0.1:${targets.app}`);
  for (const [from, to] of site) {
    if (!text.includes(from)) throw new Error(`${file} no longer says ${from}`);
    text = text.replaceAll(from, to);
  }
  return text;
}

/**
 * nginx with deploy/nginx/sekisho-auth-request.conf, in a temp prefix (no root needed): the shipped
 * server block inside a minimal main config (one worker, temp paths, logs in the prefix).
 */
export async function startNginx(targets: FrontTargets): Promise<FrontProxy> {
  if (!nginxBinary) throw new Error('nginx is not installed (apt-get install nginx)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sekisho-nginx-'));
  const site = templated('nginx/sekisho-auth-request.conf', targets, [
    ['listen 80 default_server;', `listen 127.0.0.1:${port} default_server;`],
    ['listen 80;', `listen 127.0.0.1:${port};`],
    ['server_name app.example.com;', 'server_name 127.0.0.1;'],
  ]);
  writeFileSync(join(dir, 'sekisho.conf'), site);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((name) => `${name}_temp_path ${dir}/${name};`)
    .join('\n  ');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;\ndaemon off;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\n` +
      `events { worker_connections 256; }\nhttp {\n  access_log off;\n  ${temp}\n  include ${dir}/sekisho.conf;\n}\n`,
  );
  const child = spawn(nginxBinary, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const errorLog = () =>
    existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
  return started(child, port, dir, errorLog);
}

/** Caddy with deploy/caddy/Caddyfile (its admin API off, its data in a temp directory). */
export async function startCaddy(targets: FrontTargets): Promise<FrontProxy> {
  if (!caddyBinary) throw new Error('caddy is not installed (apt-get install caddy)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sekisho-caddy-'));
  const site = templated('caddy/Caddyfile', targets, [
    ['http://app.example.com', `http://127.0.0.1:${port}`],
  ]);
  const file = join(dir, 'Caddyfile');
  writeFileSync(file, `{\n\tadmin off\n}\n\n${site}`);
  const child = spawn(caddyBinary, ['run', '--config', file, '--adapter', 'caddyfile'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
  });
  return started(child, port, dir, () => '');
}

async function started(
  child: ChildProcess,
  port: number,
  dir: string,
  extraLog: () => string,
): Promise<FrontProxy> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => `${stderr}${extraLog()}`;
  await untilListening(port, child, log);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    close: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits for the port to accept connections (the process has no readiness signal of its own). */
async function untilListening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`the proxy exited (${child.exitCode}): ${log()}`);
      return new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.end();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
    },
    10_000,
    `the proxy listening on ${port}`,
  );
}
