/**
 * The instructions suite: how many instructions each target executes per request, counted by
 * valgrind's callgrind in the target's process (every thread, user space), with the JavaScript
 * named from Node's `--perf-basic-prof` map. The count does not move with the machine's noise, so
 * the gateway's CPU cost against the floor's reads exactly, where the many-users suite's CPU
 * seconds spread by ±30 % between rounds on a shared VM.
 *
 * Under callgrind a process runs ~30–50× slower, so the load is scaled down with the same shape:
 * a fixed rate (150 req/s by default) over as many sessions as make each session come back every
 * half second, as 1,000 sessions do at 2,000 req/s; the same 10,000 rules and 100,000 other live
 * sessions. Each target is warmed up first (JIT), then counted for `seconds` at the fixed rate.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseCallgrind, PerfMap, summariseInstructions, type InstructionSummary } from './callgrind.ts';
import type { GeneratorResult } from './generator.ts';
import type { Harness } from './harness.ts';
import { runGenerator } from './load.ts';
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
  /** Which of floor, gateway, gateway-1 to count. */
  readonly targets: ReadonlySet<string>;
}

export interface CountedLoad {
  readonly target: string;
  readonly summary: InstructionSummary;
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

  if (options.targets.has('floor')) {
    const floor = await h.start(
      'floor',
      './floor-proxy.ts',
      [backendUrl],
      ['--perf-basic-prof'],
      {},
      wrapper('floor'),
    );
    const origin = `http://127.0.0.1:${floor.port}`;
    const cookies = ['sekisho_sid=none'];
    await warmUp(h, options, origin, cookies);
    loads.push(await counted(h, options, floor, dir, 'floor', { origin, cookies }));
    await stopCounted(h, floor);
  }

  const gatewayTargets = ['gateway-1', 'gateway'].filter((t) => options.targets.has(t));
  if (gatewayTargets.length > 0) {
    const { gateway, cookies } = await populatedGateway(h, options, backendUrl, wrapper('gateway'));
    const origin = `http://127.0.0.1:${gateway.port}`;
    await warmUp(h, options, origin, cookies);
    for (const target of gatewayTargets) {
      const load = { origin, cookies: target === 'gateway-1' ? cookies.slice(0, 1) : cookies };
      loads.push(await counted(h, options, gateway, dir, target, load));
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
      nodeArgs: ['--perf-basic-prof'],
    },
  );
  await h.stop([setUp]);
  return { gateway, cookies: tokens.map((token) => `sekisho_sid=${token}`) };
}

/**
 * Closed-loop load until what is hot is compiled, then a little more on new connections: the
 * first connections' close changes the shapes some stream code sees, and V8 recompiles it once.
 */
async function warmUp(
  h: Harness,
  options: InstructionsOptions,
  origin: string,
  cookies: readonly string[],
): Promise<void> {
  const load = (seconds: number) =>
    runGenerator(
      { origin, path: BENCH_PATH, cookies, connections: options.connections, seconds, rate: null },
      h.loadCore,
    );
  await load(options.warmSeconds);
  await load(Math.min(10, options.warmSeconds));
}

/** One fixed-rate load with the counting on, dumped and read. */
async function counted(
  h: Harness,
  options: InstructionsOptions,
  server: Server,
  dir: string,
  target: string,
  load: { origin: string; cookies: readonly string[] },
): Promise<CountedLoad> {
  const pid = String(server.child.pid ?? 0);
  const control = (...args: string[]) => run('callgrind_control', [...args, pid]);
  await control('--zero');
  await control('--instr=on');
  const result: GeneratorResult = await runGenerator(
    {
      ...load,
      path: BENCH_PATH,
      connections: options.connections,
      seconds: options.seconds,
      rate: options.rate,
    },
    h.loadCore,
  );
  await control('--instr=off');
  await control('--dump');
  if (result.errors > 0) throw new Error(`${target}: ${result.errors} requests failed while counted`);
  const dumps = await dumpsOf(dir, server.name, pid);
  const text = await readFile(join(dir, dumps.at(-1) ?? ''), 'utf8');
  const map = new PerfMap(await readFile(`/tmp/perf-${pid}.map`, 'utf8'));
  const summary = summariseInstructions(parseCallgrind(text), map, result.requests);
  console.log(
    `${target.padEnd(10)} ${result.requests} requests counted: ${Math.round(summary.steadyPerRequest)} instructions per request` +
      ` (${Math.round(summary.perRequest)} with the JIT compilers)`,
  );
  return { target, summary };
}

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
