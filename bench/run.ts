/**
 * `npm run bench`: the gateway against the bare Node floor and nginx + auth_request, every server
 * on core 0 and the load generator on core 1, in interleaved rounds. Three suites (`--suite`):
 *
 * - `many-users` (bench/many-users.ts): 1,000 sessions logged in through the form and rotated by
 *   the generator, 10,000 rules, 100,000 other live sessions in Redis; closed loop and a fixed
 *   rate (open loop); latency p50/p99/p99.9, CPU per request, RSS, the gateway's event loop and
 *   GC, and a profile. Options: --rate 2000 --sessions 1000 --rules 10000 --other-sessions 100000
 *   --targets floor,floor-identity,nginx-auth,gateway,gateway-1 --heap-profile (where the gateway
 *   allocates); `floor-identity` is the floor carrying what the gateway adds for its backends
 * - `classic` (bench/classic.ts): one session (the best case), every reference design, closed
 *   loop, logins per second. Options: --targets direct,floor,nginx,nginx-auth,gateway,
 *   gateway-assertion,nginx-sekisho --no-logins
 * - `instructions` (bench/instructions.ts): instructions per request under valgrind's callgrind
 *   (not moved by the machine's noise) for the floor, the floor carrying the identity, and the
 *   gateway with one session and with many, where they go by area and function. Not in the
 *   default run (~35 minutes). Options:
 *   --counted-rate 60 --counted-seconds 60 --warm-seconds 300
 *   --targets floor,floor-identity,gateway-1,gateway
 *   --counted-node-args=--no-concurrent-recompilation
 *
 * Both: --seconds 10 --rounds 3 --connections 50 --no-profile --source --out <dir>
 *       --gateway-config '{"sessionCache":{"ttlMs":0}}' --gateway-node-args=--max-semi-space-size=4
 *       --gateway-env '{"MALLOC_ARENA_MAX":"8"}'
 * The gateway runs as the Dockerfile ships it: bundled (bench/compiled.ts; --source runs the
 * TypeScript sources instead) and with its memory settings (bench/deployed-env.ts) unless
 * --gateway-env overrides them. The report (Markdown, ready for docs/benchmarks.md) is printed
 * and written to <dir> (default: a sekisho-bench folder in the temp directory) as latest.md, with
 * the figures as latest.json.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { runClassic } from './classic.ts';
import { compileGateway } from './compiled.ts';
import { deployedEnv, deployedNodeArgs } from './deployed-env.ts';
import { Harness } from './harness.ts';
import { findWrk } from './load.ts';
import { markdownManyUsers } from './many-users-report.ts';
import { runManyUsers } from './many-users.ts';
import { runInstructions } from './instructions.ts';
import { markdownInstructions } from './instructions-report.ts';
import { findNginx } from './nginx.ts';
import { machine, markdownReport } from './report.ts';

/** parseArgs, but a mistyped option is one line and exit code 2, not a stack trace. */
function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    console.error(
      `bench: ${error instanceof Error ? error.message : String(error)} (npm run bench -- --help)`,
    );
    process.exit(2);
  }
}

/** This file's opening comment, as `--help` prints it: the suites and their options. */
function usage(): string {
  const source = readFileSync(new URL(import.meta.url), 'utf8');
  const opening = source.slice(source.indexOf('/**') + 3, source.indexOf('*/'));
  return opening
    .split('\n')
    .map((line) => line.replace(/^ \* ?/, '').trimEnd())
    .join('\n')
    .trim();
}

const { values: args } = parseOptions({
  options: {
    help: { type: 'boolean', short: 'h', default: false },
    suite: { type: 'string', default: 'many-users,classic' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    rate: { type: 'string', default: '2000' },
    sessions: { type: 'string', default: '1000' },
    rules: { type: 'string', default: '10000' },
    'other-sessions': { type: 'string', default: '100000' },
    targets: { type: 'string' },
    'gateway-config': { type: 'string', default: '{}' },
    'gateway-node-args': { type: 'string', default: '' },
    'gateway-env': { type: 'string', default: '{}' },
    source: { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
    'heap-profile': { type: 'boolean', default: false },
    'no-logins': { type: 'boolean', default: false },
    'counted-rate': { type: 'string', default: '60' },
    'counted-seconds': { type: 'string', default: '60' },
    // Five minutes: after one, the JIT is still settling (the floor counted 220,398 after one
    // minute in session 14, 199,427 after five in session 15).
    'warm-seconds': { type: 'string', default: '300' },
    'counted-node-args': { type: 'string', default: '' },
    out: { type: 'string', default: join(tmpdir(), 'sekisho-bench') },
  },
});

if (args.help) {
  console.log(usage());
  process.exit(0);
}

const suites = new Set(args.suite.split(','));
for (const suite of suites)
  if (suite !== 'many-users' && suite !== 'classic' && suite !== 'instructions')
    throw new Error(`--suite: unknown suite "${suite}" (many-users, classic, instructions)`);
const common = {
  seconds: Number(args.seconds),
  rounds: Number(args.rounds),
  connections: Number(args.connections),
  profile: !args['no-profile'],
};
const targets = (fallback: string) => new Set((args.targets ?? fallback).split(','));

// As the Dockerfile deploys it (glibc arenas and thresholds, V8 semi-space), unless overridden.
const gatewayEnv = { ...deployedEnv(), ...(JSON.parse(args['gateway-env']) as Record<string, string>) };
// The image's V8 flags (its ENTRYPOINT), then any of --gateway-node-args (a later flag wins).
const gatewayNodeArgs = [
  ...deployedNodeArgs(),
  ...args['gateway-node-args'].split(' ').filter((a) => a !== ''),
];
const harness = new Harness({
  gatewayConfig: JSON.parse(args['gateway-config']) as Record<string, unknown>,
  gatewayNodeArgs,
  gatewayEnv,
  gatewayFile: args.source ? './gateway-server.ts' : (await compileGateway()).href,
});

// Interrupted (Ctrl-C, or a SIGTERM): the servers are stopped and the run's schemas, keys and
// directories removed, as at a normal end, before the process exits.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the servers and removing what this run stored`);
    void harness.cleanUp().finally(() => process.exit(code));
  });
}

async function main(): Promise<void> {
  const info = machine({
    pinned: harness.taskset !== null,
    wrk: findWrk(),
    nginx: findNginx(),
    gatewayEnv,
    gatewayNodeArgs,
    gatewayCode: args.source
      ? 'TypeScript sources (type stripping)'
      : 'bundled as the image ships it (scripts/bundle.ts)',
  });
  console.log(`# sekisho bench ${new Date().toISOString()}\n${JSON.stringify(info)}`);
  const sections: string[] = [];
  const figures: Record<string, unknown> = { info };
  if (suites.has('many-users')) {
    const report = await runManyUsers(harness, {
      ...common,
      rate: Number(args.rate),
      sessions: Number(args.sessions),
      rules: Number(args.rules),
      otherSessions: Number(args['other-sessions']),
      targets: targets('floor,floor-identity,nginx-auth,gateway,gateway-1'),
      heapProfile: args['heap-profile'],
    });
    sections.push(`## Many users\n\n${markdownManyUsers(report, info)}`);
    figures.manyUsers = { ...report, results: Object.fromEntries(report.results) };
  }
  if (suites.has('instructions')) {
    const rate = Number(args['counted-rate']);
    const report = await runInstructions(harness, {
      rate,
      sessions: Math.round(rate / 2),
      seconds: Number(args['counted-seconds']),
      warmSeconds: Number(args['warm-seconds']),
      rules: Number(args.rules),
      otherSessions: Number(args['other-sessions']),
      connections: common.connections,
      targets: targets('floor,floor-identity,gateway-1,gateway'),
      countedNodeArgs: args['counted-node-args'].split(' ').filter(Boolean),
    });
    sections.push(`## Instructions per request\n\n${markdownInstructions(report, info)}`);
    figures.instructions = {
      ...report,
      loads: report.loads.map((load) => ({
        ...load,
        summary: { ...load.summary, areas: Object.fromEntries(load.summary.areas) },
      })),
    };
  }
  if (suites.has('classic')) {
    const report = await runClassic(harness, {
      ...common,
      logins: !args['no-logins'],
      targets: targets('direct,floor,nginx,nginx-auth,gateway,gateway-assertion,nginx-sekisho'),
    });
    sections.push(`## One session (the best case), every design\n\n${markdownReport({ ...report, info })}`);
    figures.classic = { ...report, results: Object.fromEntries(report.results) };
  }
  const text = sections.join('\n');
  console.log(`\n${text}`);
  await mkdir(args.out, { recursive: true });
  await writeFile(join(args.out, 'latest.md'), text);
  await writeFile(join(args.out, 'latest.json'), JSON.stringify(figures, null, 2));
  console.log(`written to ${join(args.out, 'latest.md')}`);
}

try {
  await main();
} finally {
  await harness.cleanUp();
}
