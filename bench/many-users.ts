/**
 * The many-users suite: what users meet. The gateway holds a large rule set (the benchmark's
 * rule among 10,000), 100,000 other live sessions sit in Redis, and the load is spread over
 * 1,000 sessions logged in through the real form, the generator sending each request with the
 * next session's cookie. Every target gets the same requests, in interleaved rounds, both
 * closed loop (the most it does) and at a fixed rate (open loop, latency from the due time);
 * the gateway also once with one cookie only, the best case its session cache can have.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { request } from 'undici';
import type { GeneratorResult } from './generator.ts';
import { command, floorTargets, type Harness } from './harness.ts';
import { runGenerator } from './load.ts';
import { findNginx } from './nginx.ts';
import { cpuSeconds, rssMiB, sampleRss, type Server } from './processes.ts';
import { logInAll, seedPopulation } from './population.ts';
import { summariseHeapProfile, summariseHeapSnapshot, type HeldKind } from './heap-profile.ts';
import { summariseProfile } from './profile.ts';
import { redisCommands, redisProcessId } from './redis-info.ts';
import { BENCH_PATH, benchUserIds } from './seed.ts';
import type {
  GatewayWindow,
  HeapProfiledLoad,
  ManyUsersReport,
  ModeRounds,
  Mode,
  ProfiledLoad,
} from './many-users-report.ts';

export interface ManyUsersOptions {
  readonly seconds: number;
  readonly rounds: number;
  readonly connections: number;
  /** The fixed rate, requests per second. */
  readonly rate: number;
  /** Sessions logged in through the form and rotated by the generator. */
  readonly sessions: number;
  readonly rules: number;
  /** Other live sessions written to Redis. */
  readonly otherSessions: number;
  /** Which of floor, floor-identity, nginx-auth, gateway, gateway-1 to run. */
  readonly targets: ReadonlySet<string>;
  readonly profile: boolean;
  /** Also where the 1,000-session gateway allocates, and what of it outlives a scavenge. */
  readonly heapProfile: boolean;
}

interface Target {
  readonly origin: string;
  readonly cookies: readonly string[];
  /** The processes doing the proxying, for CPU per request. */
  readonly pids: readonly number[];
}

export async function runManyUsers(h: Harness, options: ManyUsersOptions): Promise<ManyUsersReport> {
  const backend = await h.start('backend', './backend.ts', []);
  const backendUrl = `http://127.0.0.1:${backend.port}`;
  const password = `bench-${randomBytes(8).toString('hex')}`;
  const seed = { rules: options.rules, users: options.sessions, sessions: options.otherSessions };
  const schema = `sekisho_bench_${h.runId}_many`;
  const keyPrefix = `sekisho_bench_${h.runId}_many:`;
  h.dropAtEnd(schema, keyPrefix);
  const gateway = await h.startGateway('gateway-many', {
    backendUrl,
    schema,
    keyPrefix,
    user: 'bench-user',
    password,
    config: {},
  });
  const seedSeconds = await seedPopulation(h, gateway, { schema, keyPrefix, password }, seed);
  console.log(`seeded ${JSON.stringify(seed)} in ${seedSeconds.toFixed(1)} s`);
  const gatewayOrigin = `http://127.0.0.1:${gateway.port}`;
  const gatewayPid = gateway.child.pid ?? 0;

  const rssBeforeLogins = rssMiB(gatewayPid);
  // Logins before the measured rounds.
  const users = benchUserIds(options.sessions);
  const loginStarted = performance.now();
  const tokens = await logInAll(h, gateway, users, password);
  const loginSeconds = (performance.now() - loginStarted) / 1000;
  // The logins leave their garbage in the old generation, which proxying alone does not fill
  // again for a long time: RSS is measured after the logins, and the rounds after a full GC.
  const rssAfterLogins = rssMiB(gatewayPid);
  await command(gateway, { cmd: 'gc' });
  const rssAfterGc = rssMiB(gatewayPid);
  const memory = await command<{ usage: NodeJS.MemoryUsage }>(gateway, { cmd: 'memory' });
  const mib = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`;
  console.log(
    `gateway RSS ${rssBeforeLogins.toFixed(0)} MiB seeded, ${rssAfterLogins.toFixed(0)} MiB after the logins, ${rssAfterGc.toFixed(0)} MiB after a full GC` +
      ` (heap ${mib(memory.usage.heapUsed)} used of ${mib(memory.usage.heapTotal)}, external ${mib(memory.usage.external)})`,
  );
  const cookies = tokens.map((token) => `sekisho_sid=${token}`);
  console.log(`${tokens.length} logins through the form in ${loginSeconds.toFixed(1)} s`);

  const targets = new Map<string, Target>();
  /** The process each profiled target runs in. */
  const profiled = new Map<string, Server>();
  for (const name of floorTargets) {
    if (!options.targets.has(name)) continue;
    const floor = await h.startFloor(name, backendUrl);
    targets.set(name, { origin: `http://127.0.0.1:${floor.port}`, cookies, pids: [floor.child.pid ?? 0] });
    profiled.set(name, floor);
  }
  const nginx = findNginx();
  if (nginx && options.targets.has('nginx-auth')) {
    const sessions = new Map(tokens.map((token, i) => [token, users[i] ?? '']));
    const pair = await h.startNginxPair(nginx, backend.port, sessions);
    targets.set('nginx-auth', {
      origin: `http://127.0.0.1:${pair.auth}`,
      cookies,
      pids: [pair.nginxPid, pair.checkerPid],
    });
  }
  if (options.targets.has('gateway'))
    targets.set('gateway', { origin: gatewayOrigin, cookies, pids: [gatewayPid] });
  if (options.targets.has('gateway-1'))
    targets.set('gateway-1', { origin: gatewayOrigin, cookies: cookies.slice(0, 1), pids: [gatewayPid] });

  const redis = new Redis(h.redisUrl);
  const redisPid = await redisProcessId(redis);
  const load = (target: Target, mode: Mode, seconds: number) =>
    runGenerator(
      {
        origin: target.origin,
        path: BENCH_PATH,
        cookies: target.cookies,
        connections: options.connections,
        seconds,
        rate: mode === 'fixed' ? options.rate : null,
      },
      h.loadCore,
    );

  for (const target of targets.values()) {
    await load(target, 'closed', 3);
    await load(target, 'fixed', 2);
  }
  /**
   * Before each counted round, the same load uncounted: the rounds are interleaved, so a target
   * comes to its round after ~30–60 s of the others' — the gateway's sessions idle all that
   * while, their cached entries and signed assertions gone — and its first half second would be
   * 1,000 sessions coming back at once, which a steady 2,000 req/s never has. Every target is
   * measured in its steady state; what the cold start costs is said in docs/benchmarks.md. Five
   * seconds, as the cold start's misses came in two waves, the second 2–3 s after it (counted in
   * session 11, before the session cache's sweep). The profiled rounds below are warmed up alike,
   * or their profile would be the cold start's.
   */
  const roundWarmUpSeconds = 5;
  const results = new Map<string, Record<Mode, ModeRounds>>(
    [...targets.keys()].map((name) => [name, { closed: emptyRounds(), fixed: emptyRounds() }]),
  );
  for (let round = 1; round <= options.rounds; round++) {
    for (const mode of ['fixed', 'closed'] as const) {
      for (const [name, target] of targets) {
        const entry = results.get(name)?.[mode];
        if (!entry) continue;
        await load(target, mode, roundWarmUpSeconds);
        const isGateway = target.pids.includes(gatewayPid);
        // The scrape before starts the gateway's event-loop window afresh.
        const before = isGateway ? await scrapeGateway(gatewayOrigin) : null;
        const rss = isGateway ? sampleRss(gatewayPid) : null;
        const cpuBefore = target.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
        const redisBefore = redisPid ? cpuSeconds(redisPid) : 0;
        const commandsBefore = await redisCommands(redis);
        const result = await load(target, mode, options.seconds);
        const cpu = target.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - cpuBefore;
        const redisCpu = redisPid ? cpuSeconds(redisPid) - redisBefore : Number.NaN;
        const commands = (await redisCommands(redis)) - commandsBefore;
        entry.rounds.push(result);
        entry.cpuMicrosPerRequest.push((cpu * 1e6) / Math.max(1, result.requests + result.errors));
        const answered = Math.max(1, result.requests + result.errors);
        entry.redisMicrosPerRequest.push((redisCpu * 1e6) / answered);
        entry.redisCommandsPerRequest.push(commands / answered);
        if (rss) entry.rssMiB = Math.max(entry.rssMiB, rss.stop());
        if (before) entry.windows.push(windowSince(before, await scrapeGateway(gatewayOrigin)));
        console.log(roundLine(round, mode, name, result, entry));
      }
    }
  }

  const after = await command<{ usage: NodeJS.MemoryUsage }>(gateway, { cmd: 'memory' });
  await command(gateway, { cmd: 'gc' });
  const collected = await command<{ usage: NodeJS.MemoryUsage }>(gateway, { cmd: 'memory' });
  console.log(
    `gateway after the rounds: RSS ${mib(after.usage.rss)}, heap ${mib(after.usage.heapUsed)} used of ${mib(after.usage.heapTotal)};` +
      ` after a full GC: RSS ${mib(collected.usage.rss)}, heap ${mib(collected.usage.heapUsed)} used of ${mib(collected.usage.heapTotal)}`,
  );

  // The floor and both gateway loads profiled the same way: what the gateway adds to the floor,
  // and what a thousand sessions cost over one, per request. At the fixed rate, and in the closed
  // loop, where no wake-up is shared out over the requests: only the work each one costs.
  profiled.set('gateway', gateway).set('gateway-1', gateway);
  const profiles: ProfiledLoad[] = [];
  for (const mode of ['fixed', 'closed'] as const) {
    for (const [name, server] of profiled) {
      const target = targets.get(name);
      if (!options.profile || !target) continue;
      const dir = h.dir('prof');
      await mkdir(dir, { recursive: true });
      const file = join(dir, `${name}-${mode}.cpuprofile`);
      await load(target, mode, roundWarmUpSeconds);
      await command(server, { cmd: 'profile-start' });
      const result = await load(target, mode, options.seconds);
      await command(server, { cmd: 'profile-stop', file });
      profiles.push({
        target: name,
        mode,
        requests: result.requests,
        summary: await summariseProfile(file, 400),
      });
    }
  }
  // Where the 1,000-session gateway allocates (every object sampled), then what of that outlives a
  // scavenge (what is promoted and makes the mark-compacts): one more fixed-rate round each.
  const heapProfiles: HeapProfiledLoad[] = [];
  const heapTarget = targets.get('gateway');
  for (const survivors of [false, true]) {
    if (!options.heapProfile || !heapTarget) break;
    const dir = h.dir('prof');
    await mkdir(dir, { recursive: true });
    const file = join(dir, `gateway-${survivors ? 'survivors' : 'allocations'}.heapprofile`);
    await load(heapTarget, 'fixed', roundWarmUpSeconds);
    await command(gateway, { cmd: 'heap-start', survivors });
    const result = await load(heapTarget, 'fixed', options.seconds);
    await command(gateway, { cmd: 'heap-stop', file });
    heapProfiles.push({ survivors, requests: result.requests, summary: await summariseHeapProfile(file) });
  }
  // And what the gateway's heap holds after all that (a full GC first: what lives).
  let heapHeld: { bytes: number; kinds: HeldKind[] } | null = null;
  if (options.heapProfile) {
    const file = join(h.dir('prof'), 'gateway.heapsnapshot');
    await command(gateway, { cmd: 'gc' });
    await command(gateway, { cmd: 'heap-snapshot', file });
    heapHeld = await summariseHeapSnapshot(file);
  }
  redis.disconnect();
  await h.stop([gateway, backend]);
  return {
    options,
    path: BENCH_PATH,
    seed,
    seedSeconds,
    loginsPerSecond: tokens.length / loginSeconds,
    rssAfterLogins,
    rssAfterGc,
    results,
    profiles,
    heapProfiles,
    heapHeld,
  };
}

function emptyRounds(): ModeRounds {
  return {
    rounds: [],
    cpuMicrosPerRequest: [],
    redisMicrosPerRequest: [],
    redisCommandsPerRequest: [],
    rssMiB: 0,
    windows: [],
  };
}

function roundLine(
  round: number,
  mode: Mode,
  name: string,
  result: GeneratorResult,
  entry: ModeRounds,
): string {
  const f = (n: number) => n.toFixed(2);
  const cpu = entry.cpuMicrosPerRequest.at(-1) ?? Number.NaN;
  return (
    `round ${round} ${mode.padEnd(6)} ${name.padEnd(10)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s` +
    `  p50 ${f(result.p50)}  p99 ${f(result.p99)}  p99.9 ${f(result.p999)} ms  errors ${result.errors}` +
    `  cpu ${cpu.toFixed(0)} µs/req` +
    (entry.rssMiB ? `  rss ${entry.rssMiB.toFixed(0)} MiB` : '') +
    (mode === 'fixed' ? `  send lag p99 ${f(result.sendLagP99)} ms` : '')
  );
}

interface Scrape {
  readonly at: number;
  readonly delayP50: number;
  readonly delayP99: number;
  readonly delayMax: number;
  /** GC pauses so far (cumulative). */
  readonly gcSeconds: number;
  readonly gcPauses: number;
}

function windowSince(before: Scrape, after: Scrape): GatewayWindow {
  const seconds = (after.at - before.at) / 1000;
  return {
    delayP50: after.delayP50,
    delayP99: after.delayP99,
    delayMax: after.delayMax,
    gcMillisPerSecond: ((after.gcSeconds - before.gcSeconds) * 1000) / seconds,
    gcPausesPerSecond: (after.gcPauses - before.gcPauses) / seconds,
  };
}

/**
 * The gateway's own view from /_sekisho/metrics: the event-loop delay quantiles of the window
 * since the previous scrape (this scrape starts a new one) and the GC pauses so far.
 */
async function scrapeGateway(origin: string): Promise<Scrape> {
  const answer = await request(`${origin}/_sekisho/metrics`);
  const text = await answer.body.text();
  const sample = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.slice(name.length + 1)) : Number.NaN;
  };
  const gc = [...text.matchAll(/^sekisho_nodejs_gc_duration_seconds_(sum|count)\{kind="[a-z]+"\} (\S+)$/gm)];
  const total = (which: string) => gc.filter((m) => m[1] === which).reduce((sum, m) => sum + Number(m[2]), 0);
  return {
    at: performance.now(),
    delayP50: sample('sekisho_event_loop_delay_seconds{quantile="0.5"}') * 1000,
    delayP99: sample('sekisho_event_loop_delay_seconds{quantile="0.99"}') * 1000,
    delayMax: sample('sekisho_event_loop_delay_seconds{quantile="1"}') * 1000,
    gcSeconds: total('sum'),
    gcPauses: total('count'),
  };
}
