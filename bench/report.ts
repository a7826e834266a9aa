import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { LoadResult } from './load.ts';
import type { ProfileSummary } from './profile.ts';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly generator: string;
  readonly nginx: string | null;
  readonly pinned: boolean;
  /** The gateway process's memory-tuning environment (the Dockerfile's, or overridden). */
  readonly gatewayEnv: Readonly<Record<string, string>>;
  /** The V8 flags on the gateway's command line (the Dockerfile's ENTRYPOINT, then --gateway-node-args). */
  readonly gatewayNodeArgs: readonly string[];
  /** How the gateway's code ran: compiled as shipped, or the TypeScript sources. */
  readonly gatewayCode: string;
}

export interface TargetRounds {
  readonly rounds: LoadResult[];
  /** Peak RSS during the rounds (gateway only), MiB. */
  rssMiB: number;
  /** CPU seconds the proxying processes (not the backend) used per 1000 requests, per round. */
  cpuMsPer1k: number[];
}

export function machine(found: {
  pinned: boolean;
  wrk: string | null;
  nginx: string | null;
  gatewayEnv: Readonly<Record<string, string>>;
  gatewayNodeArgs: readonly string[];
  gatewayCode: string;
}): MachineInfo {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  // nginx -v prints its version on stderr.
  const nginx = found.nginx
    ? spawnSync(found.nginx, ['-v'], { encoding: 'utf8' })
        .stderr.trim()
        .replace(/^nginx version:\s*/, '')
    : null;
  return {
    cpu: model.trim(),
    cores: cpus().length,
    node: process.version,
    generator: found.wrk ? `wrk (${found.wrk}), 1 thread` : 'autocannon (own process)',
    nginx,
    pinned: found.pinned,
    gatewayEnv: found.gatewayEnv,
    gatewayNodeArgs: found.gatewayNodeArgs,
    gatewayCode: found.gatewayCode,
  };
}

/** The median (NaN for none). */
export const median = (values: readonly number[]) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const labels: Record<string, string> = {
  direct: 'direct hit on the backend',
  floor: 'bare node:http + undici Pool#dispatch (the floor)',
  nginx: 'nginx, plain reverse proxy',
  'nginx-auth': 'nginx + auth_request → Node checker + Redis',
  gateway: 'Sekisho (authenticated, proxied; assertion off)',
  'gateway-assertion': 'Sekisho (authenticated, proxied; signed assertion on, as shipped)',
  'nginx-sekisho': 'nginx + auth_request → Sekisho (deploy/nginx, assertion on)',
};

export interface ReportInput {
  readonly info: MachineInfo;
  readonly seconds: number;
  readonly rounds: number;
  readonly connections: number;
  readonly results: ReadonlyMap<string, TargetRounds>;
  readonly logins: {
    loginsPerSecond: number;
    verifiesPerSecond: number;
    /** The gateway's RSS during the login rounds, and 2 s after them. */
    peakRssMiB: number;
    afterRssMiB: number;
  } | null;
  readonly profile: ProfileSummary | null;
}

/** The run as Markdown: machine, a table of medians and ratios (per round, to that round's direct). */
export function markdownReport(input: ReportInput): string {
  const { info, results } = input;
  const direct = results.get('direct')?.rounds ?? [];
  const ratioTo = (rounds: LoadResult[], base: LoadResult[]) =>
    median(rounds.map((r, i) => r.requestsPerSecond / (base[i]?.requestsPerSecond ?? Number.NaN)));
  const lines = [
    `Machine: ${info.cpu}, ${info.cores} cores, Node ${info.node}; load: ${info.generator};` +
      ` nginx: ${info.nginx ?? 'not installed (rows skipped)'};` +
      ` ${info.pinned ? 'servers pinned to core 0, generator to core 1 (taskset)' : 'NOT pinned (no taskset)'}.`,
    `${input.rounds} interleaved rounds × ${input.seconds} s, ${input.connections} connections, 1 KiB responses; medians of the rounds.`,
    `Gateway: ${info.gatewayCode}; environment: ${
      Object.entries(info.gatewayEnv)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ') || 'none'
    }; Node flags: ${info.gatewayNodeArgs.join(' ') || 'none'}.`,
    '',
    '| target | req/s | × direct | p50 ms | p99 ms | errors | proxy CPU ms / 1k req | peak RSS |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [target, entry] of results) {
    const rps = median(entry.rounds.map((r) => r.requestsPerSecond));
    const errors = entry.rounds.reduce((sum, r) => sum + r.errors, 0);
    lines.push(
      `| ${labels[target] ?? target} | ${rps.toFixed(0)} | ${ratioTo(entry.rounds, direct).toFixed(3)} |` +
        ` ${median(entry.rounds.map((r) => r.p50)).toFixed(2)} | ${median(entry.rounds.map((r) => r.p99)).toFixed(2)} |` +
        ` ${errors} | ${entry.cpuMsPer1k.length ? median(entry.cpuMsPer1k).toFixed(0) : '—'} |` +
        ` ${entry.rssMiB ? `${entry.rssMiB.toFixed(0)} MiB` : '—'} |`,
    );
  }
  const gateway = results.get('gateway')?.rounds;
  const auth = results.get('nginx-auth')?.rounds;
  if (gateway && auth)
    lines.push('', `Sekisho ÷ nginx + auth_request: **${ratioTo(gateway, auth).toFixed(2)}×**`);
  const asserted = results.get('gateway-assertion')?.rounds;
  if (gateway && asserted)
    lines.push(`Sekisho with the signed assertion ÷ without: **${ratioTo(asserted, gateway).toFixed(2)}×**`);
  const checked = results.get('nginx-sekisho')?.rounds;
  if (checked && auth)
    lines.push(
      `nginx + auth_request → Sekisho ÷ → the minimal Node checker: **${ratioTo(checked, auth).toFixed(2)}×**`,
    );
  const floor = results.get('floor')?.rounds;
  if (gateway && floor) lines.push(`Sekisho ÷ bare Node floor: **${ratioTo(gateway, floor).toFixed(2)}×**`);
  if (input.logins) {
    const { loginsPerSecond, verifiesPerSecond, peakRssMiB, afterRssMiB } = input.logins;
    lines.push(
      '',
      `Logins through the form (GET page + POST, 8 clients for libuv's 4 threads): **${loginsPerSecond.toFixed(1)}/s**;` +
        ` raw argon2id verifies (same parameters, same core and environment, 4 threads): **${verifiesPerSecond.toFixed(1)}/s**` +
        ` (ratio ${(loginsPerSecond / verifiesPerSecond).toFixed(2)}). Gateway RSS during the logins:` +
        ` ${peakRssMiB.toFixed(0)} MiB at the peak, ${afterRssMiB.toFixed(0)} MiB 2 s after.`,
    );
  }
  if (input.profile)
    lines.push('', ...profileLines(input.profile, 'the same load, over one round after warm-up'));
  return `${lines.join('\n')}\n`;
}

/** A profile summary as Markdown; `under` says which load it was taken under. */
export function profileLines(profile: ProfileSummary, under: string): string[] {
  return [
    `Profile of the gateway under ${under} (the V8 CPU profiler that \`--cpu-prof\` runs):` +
      ` busy ${profile.busyPercent.toFixed(0)}% of samples (idle: waiting while the backend, on the same core, runs).`,
    '',
    '| area | % of busy time |',
    '| --- | ---: |',
    ...profile.areas.slice(0, 12).map((a) => `| ${a.area} | ${a.percent.toFixed(1)} |`),
    '',
    '| top self-time functions | where | % of samples |',
    '| --- | --- | ---: |',
    ...profile.functions.map((f) => `| \`${f.name}\` | ${f.where} | ${f.percent.toFixed(1)} |`),
  ];
}
