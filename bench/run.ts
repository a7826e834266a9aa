/**
 * `npm run bench`: the gateway against a direct hit on its backend and the reference designs
 * of issue 6, in interleaved rounds, every server on core 0 and the load generator on core 1.
 * Options: --seconds 10 --rounds 3 --connections 50
 *          --targets direct,floor,nginx,nginx-auth,gateway,gateway-assertion,nginx-sekisho
 *          --gateway-config '{"sessionCache":{"ttlMs":0}}' --gateway-node-args=--max-semi-space-size=4
 *          --gateway-env '{"MALLOC_ARENA_MAX":"8"}' --no-profile --no-logins --out <dir>
 * The gateway runs as the Dockerfile ships it: compiled (bench/compiled.ts; --source runs the
 * TypeScript sources instead) and with its memory settings (bench/deployed-env.ts) unless
 * --gateway-env overrides them.
 * Results go to <dir> (default: a sekisho-bench folder in the temp directory) as latest.md and latest.json.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { hashToken } from '../src/core/session-service.ts';
import { runLoad, findWrk, type LoadResult } from './load.ts';
import { loginThroughForm, loginsPerSecond } from './login.ts';
import { findNginx, startNginx, startShippedNginx } from './nginx.ts';
import { summariseProfile, type ProfileSummary } from './profile.ts';
import {
  cpuSeconds,
  pinTo,
  rssMiB,
  runPinned,
  sampleRss,
  startServer,
  stopServer,
  type Server,
} from './processes.ts';
import { machine, markdownReport, type TargetRounds } from './report.ts';
import { compileGateway } from './compiled.ts';
import { deployedEnv } from './deployed-env.ts';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    targets: {
      type: 'string',
      default: 'direct,floor,nginx,nginx-auth,gateway,gateway-assertion,nginx-sekisho',
    },
    'gateway-config': { type: 'string', default: '{}' },
    'gateway-node-args': { type: 'string', default: '' },
    'gateway-env': { type: 'string', default: '{}' },
    source: { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
    'no-logins': { type: 'boolean', default: false },
    out: { type: 'string', default: join(tmpdir(), 'sekisho-bench') },
  },
});

const seconds = Number(args.seconds);
const rounds = Number(args.rounds);
const connections = Number(args.connections);
const wanted = new Set(args.targets.split(','));
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const taskset = existsSync('/usr/bin/taskset') ? '/usr/bin/taskset' : null;
const serverCore = pinTo('0', taskset);
const loadCore = pinTo('1', taskset);
const user = 'bench-user';
const password = `bench-${randomBytes(8).toString('hex')}`;
const runId = randomBytes(4).toString('hex');
const checkerPrefix = `sekisho_bench_ck_${runId}:`;
const nginxDir = join(tmpdir(), `sekisho-bench-nginx-${runId}`);
const profileDir = join(tmpdir(), `sekisho-bench-prof-${runId}`);

const servers: Server[] = [];
/** The processes doing the proxying (not the backend) per target, for CPU per request. */
const proxyPids = new Map<string, number[]>();
let nginx: ReturnType<typeof startNginx> extends Promise<infer C> ? C | null : never = null;
let shippedNginx: ChildProcess | null = null;

/**
 * `gateway`: the proxied path without the signed assertion (comparable with earlier runs);
 * `gateway-assertion`: as shipped (assertion on), also the checker behind `nginx-sekisho`.
 */
function gatewayOptions(backendUrl: string, variant: '' | '_assertion') {
  const assertion = variant === '' ? { assertion: { enabled: false } } : { trustProxy: ['127.0.0.1'] };
  return JSON.stringify({
    backendUrl,
    databaseUrl,
    redisUrl,
    schema: `sekisho_bench_${runId}${variant}`,
    keyPrefix: `sekisho_bench_${runId}${variant}:`,
    user,
    password,
    config: { ...assertion, ...(JSON.parse(args['gateway-config']) as Record<string, unknown>) },
  });
}

async function start(
  name: string,
  file: string,
  argv: string[],
  nodeArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<Server> {
  const server = await startServer(name, file, argv, serverCore, nodeArgs, env);
  servers.push(server);
  return server;
}

/** The session cookie each target's requests carry (each gateway has its own sessions). */
const cookies = new Map<string, string>();

async function load(url: string, cookie: string, secs = seconds): Promise<LoadResult> {
  return runLoad({ url, connections, seconds: secs, headers: { cookie }, pin: loadCore });
}

async function main(): Promise<void> {
  // As the Dockerfile deploys it (glibc arenas and thresholds, V8 semi-space), unless overridden.
  const gatewayEnv = { ...deployedEnv(), ...(JSON.parse(args['gateway-env']) as Record<string, string>) };
  const info = machine({
    pinned: taskset !== null,
    wrk: findWrk(),
    nginx: findNginx(),
    gatewayEnv,
    gatewayCode: args.source ? 'TypeScript sources (type stripping)' : 'compiled (tsconfig.build.json)',
  });
  console.log(`# sekisho bench ${new Date().toISOString()}\n${JSON.stringify(info)}`);
  const backend = await start('backend', './backend.ts', []);
  const backendUrl = `http://127.0.0.1:${backend.port}`;
  const nodeArgs = args['gateway-node-args'].split(' ').filter((a) => a !== '');
  const gatewayFile = args.source ? './gateway-server.ts' : (await compileGateway()).href;
  const gateway = await start('gateway', gatewayFile, [gatewayOptions(backendUrl, '')], nodeArgs, gatewayEnv);
  const gatewayUrl = () => `http://127.0.0.1:${gateway.port}`;
  const token = await loginThroughForm(gatewayUrl(), user, password);
  const cookie = `sekisho_sid=${token}`;
  cookies.set('gateway', cookie);

  const urls = new Map<string, () => string>([['gateway', () => `${gatewayUrl()}/app/x`]]);
  proxyPids.set('gateway', [gateway.child.pid ?? 0]);
  proxyPids.set('direct', [backend.child.pid ?? 0]);
  urls.set('direct', () => `${backendUrl}/app/x`);
  if (wanted.has('floor')) {
    const floor = await start('floor', './floor-proxy.ts', [backendUrl]);
    urls.set('floor', () => `http://127.0.0.1:${floor.port}/app/x`);
    proxyPids.set('floor', [floor.child.pid ?? 0]);
  }
  const nginxBinary = findNginx();
  if (nginxBinary && (wanted.has('nginx') || wanted.has('nginx-auth'))) {
    await startNginxTargets(nginxBinary, backend.port, token, urls);
  } else if (!nginxBinary) console.log('nginx is not installed: the nginx reference rows are skipped');

  if (wanted.has('gateway-assertion') || wanted.has('nginx-sekisho')) {
    const options = [gatewayOptions(backendUrl, '_assertion')];
    const asserting = await start('gateway-assertion', gatewayFile, options, nodeArgs, gatewayEnv);
    const assertingUrl = `http://127.0.0.1:${asserting.port}`;
    const assertingCookie = `sekisho_sid=${await loginThroughForm(assertingUrl, user, password)}`;
    urls.set('gateway-assertion', () => `${assertingUrl}/app/x`);
    proxyPids.set('gateway-assertion', [asserting.child.pid ?? 0]);
    cookies.set('gateway-assertion', assertingCookie);
    if (nginxBinary && wanted.has('nginx-sekisho')) {
      const listen = await freePort();
      const ports = { backend: backend.port, gateway: asserting.port, listen };
      shippedNginx = await startShippedNginx(nginxBinary, `${nginxDir}-shipped`, ports, serverCore);
      await new Promise((resolve) => setTimeout(resolve, 500));
      urls.set('nginx-sekisho', () => `http://127.0.0.1:${listen}/app/x`);
      proxyPids.set('nginx-sekisho', [shippedNginx.pid ?? 0, asserting.child.pid ?? 0]);
      cookies.set('nginx-sekisho', assertingCookie);
    }
  }

  const targets = [...urls.keys()].filter((t) => wanted.has(t));
  const results = new Map<string, TargetRounds>(
    targets.map((t) => [t, { rounds: [], rssMiB: 0, cpuMsPer1k: [] }]),
  );
  for (const target of targets) await load(urls.get(target)?.() ?? '', cookies.get(target) ?? cookie, 3); // warm-up
  for (let round = 1; round <= rounds; round++) {
    for (const target of targets) {
      const rss = target === 'gateway' ? sampleRss(gateway.child.pid ?? 0) : null;
      const pids = proxyPids.get(target) ?? [];
      const cpuBefore = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
      const result = await load(urls.get(target)?.() ?? '', cookies.get(target) ?? cookie);
      const cpu = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - cpuBefore;
      const entry = results.get(target);
      if (entry) {
        entry.rounds.push(result);
        if (pids.length > 0 && result.requests > 0) entry.cpuMsPer1k.push((cpu * 1e6) / result.requests);
        if (rss) entry.rssMiB = Math.max(entry.rssMiB, rss.stop());
      }
      console.log(
        `round ${round} ${target.padEnd(10)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s` +
          `  p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms  errors ${result.errors}` +
          (rss ? `  rss ${results.get(target)?.rssMiB.toFixed(0)} MiB` : ''),
      );
    }
  }

  // Logins last: four argon2id hashes at a time must not colour the proxying rounds (CPU, RSS).
  const logins = args['no-logins']
    ? null
    : await measureLogins(gatewayUrl(), gateway.child.pid ?? 0, gatewayEnv);

  let profile: ProfileSummary | null = null;
  if (!args['no-profile'] && wanted.has('gateway')) {
    await mkdir(profileDir, { recursive: true });
    const file = join(profileDir, 'gateway.cpuprofile');
    await command(gateway, { cmd: 'profile-start' });
    await load(urls.get('gateway')?.() ?? '', cookie);
    await command(gateway, { cmd: 'profile-stop', file });
    profile = await summariseProfile(file);
  }

  const report = markdownReport({ info, seconds, rounds, connections, results, logins, profile });
  console.log(`\n${report}`);
  await mkdir(args.out, { recursive: true });
  await writeFile(join(args.out, 'latest.md'), report);
  await writeFile(
    join(args.out, 'latest.json'),
    JSON.stringify({ info, results: Object.fromEntries(results), logins, profile }, null, 2),
  );
  console.log(`written to ${join(args.out, 'latest.md')}`);
}

/** Sends a command to a bench server and waits for its `done`. */
function command(server: Server, message: { cmd: string; file?: string }): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (reply: unknown) => {
      if ((reply as { done?: string }).done !== message.cmd) return;
      server.child.off('message', onMessage);
      resolve();
    };
    server.child.on('message', onMessage);
    server.child.send(message);
  });
}

async function measureLogins(base: string, gatewayPid: number, gatewayEnv: Record<string, string>) {
  const rss = sampleRss(gatewayPid);
  // Eight clients for four KDF threads: while one client fetches its login page, another's
  // verify keeps the thread busy, as on a gateway with a queue of logins.
  const loginRate = await loginsPerSecond(base, user, password, 5, 8);
  const peakRssMiB = rss.stop();
  // argon2id's memory (19 MiB a hash) should go back to the system once the logins are over.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const afterRssMiB = rssMiB(gatewayPid);
  // The same memory settings as the gateway: they cost the KDF itself (see docs/benchmarks.md),
  // which is not what the ratio is about.
  const raw = await runPinned<{ perSecond: number }>(
    './argon2-worker.ts',
    ['5', '4'],
    serverCore,
    gatewayEnv,
  );
  const verifyRate = raw.perSecond;
  return { loginsPerSecond: loginRate, verifiesPerSecond: verifyRate, peakRssMiB, afterRssMiB };
}

async function startNginxTargets(
  binary: string,
  backendPort: number,
  token: string,
  urls: Map<string, () => string>,
): Promise<void> {
  const checker = await start('checker', './session-checker.ts', [redisUrl, checkerPrefix, 'sekisho_sid']);
  const redis = new Redis(redisUrl);
  await redis.set(`${checkerPrefix}sess:${hashToken(token)}`, user, 'EX', 3600);
  redis.disconnect();
  const [plain, auth] = [await freePort(), await freePort()];
  nginx = await startNginx(
    binary,
    nginxDir,
    { backend: backendPort, checker: checker.port, plain, auth },
    serverCore,
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  urls.set('nginx', () => `http://127.0.0.1:${plain}/app/x`);
  proxyPids.set('nginx', [nginx.pid ?? 0]);
  proxyPids.set('nginx-auth', [nginx.pid ?? 0, checker.child.pid ?? 0]);
  urls.set('nginx-auth', () => `http://127.0.0.1:${auth}/app/x`);
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function cleanUp(): Promise<void> {
  for (const child of [nginx, shippedNginx]) {
    if (!child || child.exitCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  for (const server of [...servers].reverse()) await stopServer(server, server.name.startsWith('gateway'));
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${checkerPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await rm(nginxDir, { recursive: true, force: true });
  await rm(`${nginxDir}-shipped`, { recursive: true, force: true });
  await rm(profileDir, { recursive: true, force: true });
}

try {
  await main();
} finally {
  await cleanUp();
}
