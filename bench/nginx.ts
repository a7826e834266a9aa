import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where nginx is installed, or null (the nginx rows are then skipped and the report says so). */
export function findNginx(): string | null {
  for (const path of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']) {
    if (existsSync(path)) return path;
  }
  return null;
}

export interface NginxPorts {
  readonly backend: number;
  readonly checker: number;
  /** Plain reverse proxy. */
  readonly plain: number;
  /** Reverse proxy with `auth_request` to the session checker. */
  readonly auth: number;
}

/** One worker, keep-alive to the upstreams, no access log (the gateway logs at warn in the bench too). */
function config(dir: string, ports: NginxPorts): string {
  const proxied = `proxy_http_version 1.1; proxy_set_header Connection "";`;
  return `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:${ports.backend}; keepalive 128; }
  upstream checker { server 127.0.0.1:${ports.checker}; keepalive 128; }
  server {
    listen 127.0.0.1:${ports.plain};
    location / { proxy_pass http://backend; ${proxied} }
  }
  server {
    listen 127.0.0.1:${ports.auth};
    location / {
      auth_request /_auth;
      auth_request_set $remote_user_id $upstream_http_x_remote_user;
      proxy_set_header X-Remote-User $remote_user_id;
      proxy_pass http://backend; ${proxied}
    }
    location = /_auth {
      internal;
      proxy_pass http://checker;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      ${proxied}
    }
  }
}
`;
}

/** Starts nginx (pinned by the caller's wrapper) in the foreground; kill the child to stop it. */
export async function startNginx(
  binary: string,
  dir: string,
  ports: NginxPorts,
  pin: readonly string[],
): Promise<ChildProcess> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'nginx.conf');
  await writeFile(file, config(dir, ports));
  const [command = binary, ...args] = [...pin, binary, '-p', dir, '-c', file, '-e', join(dir, 'error.log')];
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  return child;
}

/** The shipped forward-auth example, as ops would run it with Sekisho as the checker. */
const shippedConfig = fileURLToPath(new URL('../deploy/nginx/sekisho-auth-request.conf', import.meta.url));

/**
 * nginx with deploy/nginx/sekisho-auth-request.conf (its addresses templated, nothing else), one
 * worker, in front of the backend with the gateway as the auth_request checker.
 */
export async function startShippedNginx(
  binary: string,
  dir: string,
  ports: { readonly backend: number; readonly gateway: number; readonly listen: number },
  pin: readonly string[],
): Promise<ChildProcess> {
  await mkdir(dir, { recursive: true });
  const site = (await readFile(shippedConfig, 'utf8'))
    .replaceAll('127.0.0.1:8080', `127.0.0.1:${ports.gateway}`)
    .replaceAll('127.0.0.1:9201', `127.0.0.1:${ports.backend}`)
    .replace('listen 80;', `listen 127.0.0.1:${ports.listen};`)
    // The example's catch-all (444 for any Host it does not name) moves to the same port, and the
    // site answers the Host the bench sends.
    .replace('listen 80 default_server;', `listen 127.0.0.1:${ports.listen} default_server;`)
    .replace('server_name app.example.com;', 'server_name 127.0.0.1;');
  await writeFile(join(dir, 'sekisho.conf'), site);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((name) => `${name}_temp_path ${dir}/${name};`)
    .join(' ');
  const file = join(dir, 'nginx.conf');
  await writeFile(
    file,
    `worker_processes 1;\ndaemon off;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\n` +
      `events { worker_connections 4096; }\nhttp { access_log off; keepalive_requests 1000000; ${temp} include ${dir}/sekisho.conf; }\n`,
  );
  const [command = binary, ...args] = [...pin, binary, '-p', dir, '-c', file, '-e', join(dir, 'error.log')];
  return spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
}
