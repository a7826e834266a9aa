/**
 * The instructions suite: how many instructions each target executes per request, counted by
 * valgrind's callgrind in the target's process (every thread, user space), with the JavaScript
 * named from Node's `--perf-basic-prof` map. The count does not move with the machine's noise
 * (only with what the JIT decided), where the many-users suite's CPU seconds spread by ±30 %
 * between rounds on a shared VM.
 *
 * Under callgrind a process runs ~30–50× slower, so the load is scaled down with the same shape:
 * a fixed rate (60 req/s by default, a third of what the counted gateway could do) over as many
 * sessions as make each session come back every half second, as 1,000 sessions do at 2,000 req/s;
 * the same 10,000 rules and 100,000 other live sessions. Each target is warmed up first (JIT),
 * counted idle, then counted for `seconds` at the fixed rate.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  parseCallgrind,
  PerfMap,
  summariseInstructions,
  tally,
  type InstructionSummary,
  type Tally,
} from './callgrind.ts';
import type { GeneratorResult } from './generator.ts';
import { floorTargets, type Harness } from './harness.ts';
import { runGenerator } from './load.ts';
import { redisCommands } from './redis-info.ts';
import { OriginalPositions } from './source-maps.ts';
import { logInAll, seedPopulation } from './population.ts';
import type { Server } from './processes.ts';
import { BENCH_PATH, benchUserIds } from './seed.ts';

const run = promisify(execFile);

export interface InstructionsOptions {
  /** Requests per second while counting (open loop). */
  readonly rate: number;
  /** Sessions the load rotates: by default rate ÷ 2, so each comes back every 0.5 s. */
  readonly sessions: number;
  /** Seconds counted per load. */
  readonly seconds: number;
  /** Seconds of closed-loop load before counting, so that the JIT has compiled what is hot. */
  readonly warmSeconds: number;
  readonly rules: number;
  readonly otherSessions: number;
  readonly connections: number;
  /** Which of floor, floor-identity, gateway-1, gateway to count. */
  readonly targets: ReadonlySet<string>;
  /**
   * Node's flags for the counted processes beyond the perf map (`--no-concurrent-recompilation`:
   * V8 optimises on the main thread, so that when valgrind lets a compiler thread run does not
   * decide which tier the counted code runs in).
   */
  readonly countedNodeArgs: readonly string[];
}

export interface CountedLoad {
  readonly target: string;
  readonly summary: InstructionSummary;
  /** Requests that failed while counted (503 when the process fell behind its readiness probe). */
  readonly errors: number;
  /** Redis round trips per request while counted, from every client (see {@link maxRoundTrips}). */
  readonly roundTrips: number;
  /** Whether the process kept up with real time (no errors, the session cache on): else not comparable. */
  readonly keptUp: boolean;
}

export interface InstructionsReport {
  readonly options: InstructionsOptions;
  readonly valgrind: string;
  readonly loads: CountedLoad[];
}

export function findValgrind(): string | null {
  for (const path of ['/usr/bin/valgrind', '/usr/local/bin/valgrind']) if (existsSync(path)) return path;
  return null;
}

export async function runInstructions(h: Harness, options: InstructionsOptions): Promise<InstructionsReport> {
  const valgrind = findValgrind();
  if (!valgrind) throw new Error('--suite instructions needs valgrind (apt-get install valgrind)');
  const version = (await run(valgrind, ['--version'])).stdout.trim();
  const backend = await h.start('backend', './backend.ts', []);
  const backendUrl = `http://127.0.0.1:${backend.port}`;
  const dir = h.dir('callgrind');
  await mkdir(dir, { recursive: true });
  const wrapper = (name: string) => [
    valgrind,
    '--tool=callgrind',
    '--instr-atstart=no',
    `--callgrind-out-file=${join(dir, `${name}.%p`)}`,
  ];
  const loads: CountedLoad[] = [];

  for (const name of floorTargets) {
    if (!options.targets.has(name)) continue;
    const floor = await h.startFloor(name, backendUrl, {
      nodeArgs: ['--perf-basic-prof', ...options.countedNodeArgs],
      wrapper: wrapper(name),
    });
    const origin = `http://127.0.0.1:${floor.port}`;
    const cookies = ['sekisho_sid=none'];
    await warmUp(h, options, origin, cookies);
    const counter = await Counter.start(h, options, floor, dir);
    loads.push(await counter.count(name, { origin, cookies }));
    await stopCounted(h, floor);
  }

  const gatewayTargets = ['gateway-1', 'gateway'].filter((t) => options.targets.has(t));
  if (gatewayTargets.length > 0) {
    const { gateway, cookies } = await populatedGateway(h, options, backendUrl, wrapper('gateway'));
    const origin = `http://127.0.0.1:${gateway.port}`;
    await warmUp(h, options, origin, cookies);
    const counter = await Counter.start(h, options, gateway, dir);
    for (const target of gatewayTargets) {
      const load = { origin, cookies: target === 'gateway-1' ? cookies.slice(0, 1) : cookies };
      loads.push(await counter.count(target, load));
    }
    await stopCounted(h, gateway);
  }
  await h.stop([backend]);
  await rm(dir, { recursive: true, force: true });
  return { options, valgrind: version, loads };
}

/**
 * A gateway under callgrind over the many-users population: a first gateway (not counted, at
 * full speed) sets up the schema, loads the seeded data and logs the users in through the form;
 * the counted one then runs beside it on the same data as a second instance would, and the first
 * stops, so that only the counted gateway serves.
 */
async function populatedGateway(
  h: Harness,
  options: InstructionsOptions,
  backendUrl: string,
  wrapper: readonly string[],
): Promise<{ gateway: Server; cookies: string[] }> {
  const password = `bench-${randomBytes(8).toString('hex')}`;
  const schema = `sekisho_bench_${h.runId}_instr`;
  const keyPrefix = `sekisho_bench_${h.runId}_instr:`;
  h.dropAtEnd(schema, keyPrefix);
  const where = { backendUrl, schema, keyPrefix, user: 'bench-user', password, config: {} };
  const setUp = await h.startGateway('gateway-setup', { ...where, keepData: true });
  const population = { rules: options.rules, users: options.sessions, sessions: options.otherSessions };
  await seedPopulation(h, setUp, { schema, keyPrefix, password }, population);
  const tokens = await logInAll(h, setUp, benchUserIds(options.sessions), password);
  const gateway = await h.startGateway(
    'gateway',
    { ...where, attach: true },
    {
      wrapper,
      nodeArgs: ['--perf-basic-prof', ...options.countedNodeArgs],
    },
  );
  await h.stop([setUp]);
  return { gateway, cookies: tokens.map((token) => `sekisho_sid=${token}`) };
}

/**
 * Closed-loop load until what is hot is compiled, then the counted rate on new connections: the
 * first connections' close changes the shapes some stream code sees (V8 recompiles it once), and
 * at the counted rate the session cache takes the paths it takes while counted (entries due for
 * a background read, batches) rather than those of full speed.
 */
async function warmUp(
  h: Harness,
  options: InstructionsOptions,
  origin: string,
  cookies: readonly string[],
): Promise<void> {
  const load = (seconds: number, rate: number | null) =>
    runGenerator(
      { origin, path: BENCH_PATH, cookies, connections: options.connections, seconds, rate },
      h.loadCore,
    );
  await load(options.warmSeconds, null);
  await load(Math.min(15, options.warmSeconds), options.rate);
}

/**
 * Counts one process under callgrind: first what it executes idle (its timers, probes and
 * heartbeat, whatever the rate), then each load, of which the idle share is taken out.
 */
class Counter {
  private readonly h: Harness;
  private readonly options: InstructionsOptions;
  private readonly server: Server;
  private readonly dir: string;
  private readonly idle: Tally;

  private constructor(h: Harness, options: InstructionsOptions, server: Server, dir: string, idle: Tally) {
    this.h = h;
    this.options = options;
    this.server = server;
    this.dir = dir;
    this.idle = idle;
  }

  static async start(
    h: Harness,
    options: InstructionsOptions,
    server: Server,
    dir: string,
  ): Promise<Counter> {
    const control = controlOf(server);
    await control('--zero');
    await control('--instr=on');
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    await control('--instr=off');
    await control('--dump');
    return new Counter(h, options, server, dir, await lastDump(dir, server));
  }

  /**
   * One fixed-rate load with the counting on. A count is kept only if the process kept up with
   * real time: under callgrind it runs ~50× slower, and a stall of a second (a mark-compact, a
   * compilation) silences the session cache's heartbeat (the cache then turns off and every
   * request reads Redis) or fails a readiness probe (503). Either shows (Redis round trips,
   * errors); such a count is taken once more, and reported as such if it fails again.
   */
  async count(target: string, load: { origin: string; cookies: readonly string[] }): Promise<CountedLoad> {
    const control = controlOf(this.server);
    const redis = new Redis(this.h.redisUrl);
    try {
      for (let attempt = 1; ; attempt++) {
        const commandsBefore = await redisCommands(redis);
        await control('--zero');
        await control('--instr=on');
        const started = performance.now();
        const result: GeneratorResult = await runGenerator(
          {
            ...load,
            path: BENCH_PATH,
            connections: this.options.connections,
            seconds: this.options.seconds,
            rate: this.options.rate,
          },
          this.h.loadCore,
        );
        const seconds = (performance.now() - started) / 1000;
        await control('--instr=off');
        await control('--dump');
        const requests = result.requests + result.errors;
        const roundTrips = ((await redisCommands(redis)) - commandsBefore) / requests;
        const keptUp = result.errors === 0 && roundTrips < maxRoundTrips;
        const summary = summariseInstructions(
          await lastDump(this.dir, this.server),
          { requests, seconds },
          this.idle,
          idleSeconds,
        );
        console.log(
          `${target.padEnd(10)} ${requests} requests counted: ${Math.round(summary.steadyPerRequest)} instructions per request` +
            ` (${Math.round(summary.perRequest)} with the JIT compilers; idle ${Math.round(summary.idlePerSecond)} per second),` +
            ` ${result.errors} errors, ${roundTrips.toFixed(2)} Redis round trips per request${keptUp ? '' : ': fell behind real time'}`,
        );
        if (keptUp || attempt === 2) return { target, summary, errors: result.errors, roundTrips, keptUp };
      }
    } finally {
      redis.disconnect();
    }
  }
}

/** The newest dump callgrind wrote for a process, tallied by function. */
async function lastDump(dir: string, server: Server): Promise<Tally> {
  const pid = String(server.child.pid ?? 0);
  const dumps = await dumpsOf(dir, server.name, pid);
  const text = await readFile(join(dir, dumps.at(-1) ?? ''), 'utf8');
  const map = new PerfMap(await readFile(`/tmp/perf-${pid}.map`, 'utf8'), (name) => originals.rename(name));
  return tally(parseCallgrind(text), map);
}

/** The bundled gateway's code, named where its source maps put it. */
const originals = new OriginalPositions();

/** Seconds counted with no load, for each process's idle share. */
const idleSeconds = 20;

function controlOf(server: Server): (...args: string[]) => Promise<unknown> {
  return (...args) => run('callgrind_control', [...args, String(server.child.pid ?? 0)]);
}

/**
 * Redis round trips per request above which the session cache was off for part of a count: with
 * it on, a session is read in a batch about twice a second and the heartbeat publishes five
 * times a second, a small fraction of a round trip per request at the counted rates.
 */
const maxRoundTrips = 0.5;

/** Stops a counted process and removes the map of its code Node wrote. */
async function stopCounted(h: Harness, server: Server): Promise<void> {
  await h.stop([server]);
  await rm(`/tmp/perf-${server.child.pid ?? 0}.map`, { force: true });
}

/** The dump files callgrind wrote for one process so far (`<server name>.<pid>.<n>`), in order. */
async function dumpsOf(dir: string, name: string, pid: string): Promise<string[]> {
  const prefix = `${name}.${pid}.`;
  return (await readdir(dir))
    .filter((file) => file.startsWith(prefix))
    .sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)));
}
