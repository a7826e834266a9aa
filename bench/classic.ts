/**
 * The classic suite (issue 6): one logged-in session on every request, so that the session
 * cache holds it throughout — the gateway's best case — against a direct hit on the backend and
 * the reference designs, closed loop (wrk, or autocannon), with logins per second and a profile.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { command, freePort, waitForPort, type Harness } from './harness.ts';
import { runLoad, type LoadResult } from './load.ts';
import { loginThroughForm, loginsPerSecond } from './login.ts';
import { findNginx, startShippedNginx } from './nginx.ts';
import { summariseProfile, type ProfileSummary } from './profile.ts';
import { cpuSeconds, rssMiB, runPinned, sampleRss, type Server } from './processes.ts';
import type { ReportInput, TargetRounds } from './report.ts';

export interface ClassicOptions {
  readonly seconds: number;
  readonly rounds: number;
  readonly connections: number;
  readonly targets: ReadonlySet<string>;
  readonly profile: boolean;
  readonly logins: boolean;
}

const user = 'bench-user';

export async function runClassic(h: Harness, options: ClassicOptions): Promise<Omit<ReportInput, 'info'>> {
  const { seconds, rounds, connections, targets: wanted } = options;
  const password = `bench-${randomBytes(8).toString('hex')}`;
  const started: Server[] = [];
  const start = async (...args: Parameters<Harness['start']>) => {
    const server = await h.start(...args);
    started.push(server);
    return server;
  };
  const startGateway = async (variant: '' | '_assertion') => {
    // `gateway`: the proxied path without the signed assertion (comparable with earlier runs);
    // `gateway-assertion`: as shipped (assertion on), also the checker behind `nginx-sekisho`.
    const config = variant === '' ? { assertion: { enabled: false } } : { trustProxy: ['127.0.0.1'] };
    const name = `gateway${variant.replace('_', '-')}`;
    const server = await h.startGateway(name, {
      backendUrl,
      schema: `sekisho_bench_${h.runId}${variant}`,
      keyPrefix: `sekisho_bench_${h.runId}${variant}:`,
      user,
      password,
      config,
    });
    started.push(server);
    return server;
  };
  const backend = await start('backend', './backend.ts', []);
  const backendUrl = `http://127.0.0.1:${backend.port}`;
  const gateway = await startGateway('');
  const gatewayUrl = `http://127.0.0.1:${gateway.port}`;
  const token = await loginThroughForm(gatewayUrl, user, password);
  const cookie = `sekisho_sid=${token}`;
  const cookies = new Map<string, string>([['gateway', cookie]]);
  const urls = new Map<string, string>([
    ['gateway', `${gatewayUrl}/app/x`],
    ['direct', `${backendUrl}/app/x`],
  ]);
  /** The processes doing the proxying (not the backend) per target, for CPU per request. */
  const proxyPids = new Map<string, number[]>([
    ['gateway', [gateway.child.pid ?? 0]],
    ['direct', [backend.child.pid ?? 0]],
  ]);
  if (wanted.has('floor')) {
    const floor = await h.startFloor('floor', backendUrl);
    started.push(floor);
    urls.set('floor', `http://127.0.0.1:${floor.port}/app/x`);
    proxyPids.set('floor', [floor.child.pid ?? 0]);
  }
  const nginxBinary = findNginx();
  if (nginxBinary && (wanted.has('nginx') || wanted.has('nginx-auth'))) {
    const pair = await h.startNginxPair(nginxBinary, backend.port, new Map([[token, user]]));
    urls.set('nginx', `http://127.0.0.1:${pair.plain}/app/x`);
    urls.set('nginx-auth', `http://127.0.0.1:${pair.auth}/app/x`);
    proxyPids.set('nginx', [pair.nginxPid]);
    proxyPids.set('nginx-auth', [pair.nginxPid, pair.checkerPid]);
  } else if (!nginxBinary) console.log('nginx is not installed: the nginx reference rows are skipped');

  if (wanted.has('gateway-assertion') || wanted.has('nginx-sekisho')) {
    const asserting = await startGateway('_assertion');
    const assertingUrl = `http://127.0.0.1:${asserting.port}`;
    const assertingCookie = `sekisho_sid=${await loginThroughForm(assertingUrl, user, password)}`;
    urls.set('gateway-assertion', `${assertingUrl}/app/x`);
    proxyPids.set('gateway-assertion', [asserting.child.pid ?? 0]);
    cookies.set('gateway-assertion', assertingCookie);
    if (nginxBinary && wanted.has('nginx-sekisho')) {
      const listen = await freePort();
      const ports = { backend: backend.port, gateway: asserting.port, listen };
      const shipped = h.adopt(
        await startShippedNginx(nginxBinary, h.dir('nginx-shipped'), ports, h.serverCore),
      );
      await waitForPort(listen);
      urls.set('nginx-sekisho', `http://127.0.0.1:${listen}/app/x`);
      proxyPids.set('nginx-sekisho', [shipped.pid ?? 0, asserting.child.pid ?? 0]);
      cookies.set('nginx-sekisho', assertingCookie);
    }
  }

  const load = (target: string, secs = seconds): Promise<LoadResult> =>
    runLoad({
      url: urls.get(target) ?? '',
      connections,
      seconds: secs,
      headers: { cookie: cookies.get(target) ?? cookie },
      pin: h.loadCore,
    });
  const targets = [...urls.keys()].filter((t) => wanted.has(t));
  const results = new Map<string, TargetRounds>(
    targets.map((t) => [t, { rounds: [], rssMiB: 0, cpuMsPer1k: [] }]),
  );
  for (const target of targets) await load(target, 3); // warm-up
  for (let round = 1; round <= rounds; round++) {
    for (const target of targets) {
      const rss = target === 'gateway' ? sampleRss(gateway.child.pid ?? 0) : null;
      const pids = proxyPids.get(target) ?? [];
      const cpuBefore = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
      const result = await load(target);
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
  const logins = options.logins ? await measureLogins(h, gatewayUrl, password, gateway.child.pid ?? 0) : null;

  let profile: ProfileSummary | null = null;
  if (options.profile && wanted.has('gateway')) {
    const dir = h.dir('prof');
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'gateway.cpuprofile');
    await command(gateway, { cmd: 'profile-start' });
    await load('gateway');
    await command(gateway, { cmd: 'profile-stop', file });
    profile = await summariseProfile(file);
  }
  await h.stop(started);
  return { seconds, rounds, connections, results, logins, profile };
}

async function measureLogins(h: Harness, base: string, password: string, gatewayPid: number) {
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
    h.serverCore,
    h.options.gatewayEnv,
  );
  return { loginsPerSecond: loginRate, verifiesPerSecond: raw.perSecond, peakRssMiB, afterRssMiB };
}
