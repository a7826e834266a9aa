import { Area, type InstructionSummary } from './callgrind.ts';
import type { InstructionsReport } from './instructions.ts';
import type { MachineInfo } from './report.ts';

const labels: Readonly<Record<string, string>> = {
  floor: 'bare node:http + undici Pool#dispatch (the floor)',
  'floor-identity': 'the floor carrying the identity headers and a signed assertion',
  gateway: 'Sekisho, many sessions',
  'gateway-1': 'Sekisho, one session',
};

const thousands = (n: number) => Math.round(n).toLocaleString('en-US');
/** A difference with its sign: +1,200, −300. */
const signed = (n: number) => (Math.round(n) < 0 ? `−${thousands(-n)}` : `+${thousands(n)}`);

/** The instructions suite's figures as Markdown, ready for docs/benchmarks.md. */
export function markdownInstructions(report: InstructionsReport, info: MachineInfo): string {
  const { loads } = report;
  const floor = loads.find((load) => load.target === 'floor')?.summary;
  const lines = [
    ...setUp(report, info),
    '',
    `| instructions per request | ${loads.map((l) => labels[l.target] ?? l.target).join(' | ')} |`,
    `| --- | ${loads.map(() => '---:').join(' | ')} |`,
    `| **in all, warmed up** | ${loads.map((l) => `**${thousands(l.summary.steadyPerRequest)}**`).join(' | ')} |`,
  ];
  // A major GC in a counted minute is worth tens of thousands of instructions per request, and
  // whether one falls there depends on the load and the minute: the figure without GC compares.
  const withoutGc = (summary: InstructionSummary) =>
    summary.steadyPerRequest - (summary.areas.get(Area.gc) ?? 0);
  if (floor)
    lines.push(
      `| ÷ the floor's | ${loads.map((l) => `**${(l.summary.steadyPerRequest / floor.steadyPerRequest).toFixed(2)}**`).join(' | ')} |`,
    );
  lines.push(
    `| without garbage collection | ${loads.map((l) => thousands(withoutGc(l.summary))).join(' | ')} |`,
  );
  if (floor)
    lines.push(
      `| ÷ the floor's, without garbage collection | ${loads.map((l) => (withoutGc(l.summary) / withoutGc(floor)).toFixed(2)).join(' | ')} |`,
    );
  lines.push(
    `| Redis round trips per request while counted | ${loads.map((l) => l.roundTrips.toFixed(2)).join(' | ')} |`,
    `| kept up with real time (no errors, session cache on) | ${loads.map((l) => (l.keptUp ? 'yes' : `**no** (${l.errors} errors): not comparable`)).join(' | ')} |`,
  );
  for (const area of Object.values(Area))
    lines.push(`| ${area} | ${loads.map((l) => thousands(l.summary.areas.get(area) ?? 0)).join(' | ')} |`);
  // What the identity costs the floor, what the gateway adds to the floor that carries it (or to
  // the bare floor when that was not counted), and what many sessions add to one.
  const identityFloor = loads.find((load) => load.target === 'floor-identity')?.summary;
  const one = loads.find((load) => load.target === 'gateway-1')?.summary;
  const many = loads.find((load) => load.target === 'gateway')?.summary;
  const gatewayBase = identityFloor ?? floor;
  const pairs: [InstructionSummary | undefined, string, InstructionSummary | undefined, string][] = [
    [floor, 'the floor', identityFloor, 'the identity floor'],
    [
      gatewayBase,
      identityFloor ? 'the identity floor' : 'the floor',
      one ?? many,
      one ? 'Sekisho, one session' : 'Sekisho, many sessions',
    ],
    [one, 'one session', many, 'many sessions'],
  ];
  const gateways = loads.filter((l) => l.target.startsWith('gateway'));
  if (identityFloor && gateways.length > 0)
    lines.push(
      '',
      `Sekisho ÷ the identity floor (what the gateway's decisions cost beyond what the backends' contract costs any proxy): ` +
        gateways
          .map(
            (l) =>
              `${labels[l.target] ?? l.target} **${(l.summary.steadyPerRequest / identityFloor.steadyPerRequest).toFixed(2)}×**, ` +
              `without garbage collection **${(withoutGc(l.summary) / withoutGc(identityFloor)).toFixed(2)}×**`,
          )
          .join('; ') +
        '.',
    );
  for (const [base, baseName, other, otherName] of pairs)
    if (base && other) lines.push('', ...addedTable(base, baseName, other, otherName));
  for (const load of gateways) lines.push('', ...ownTable(load.summary, labels[load.target] ?? load.target));
  return `${lines.join('\n')}\n`;
}

/** How the counts were made: the machine, the counted processes' flags, the load. */
function setUp(report: InstructionsReport, info: MachineInfo): string[] {
  const { options } = report;
  const flags =
    options.countedNodeArgs.length > 0
      ? options.countedNodeArgs.map((arg) => `\`${arg}\``).join(' ')
      : 'none (V8 optimises in its background threads)';
  const comesBack = ((options.sessions / options.rate) * 1000).toFixed(0);
  return [
    `Machine: ${info.cpu}, ${info.cores} cores, Node ${info.node}; ${report.valgrind} (callgrind), the counted process pinned to core 0, the generator to core 1; ` +
      `Node flags from \`--counted-node-args\` (beyond the perf map): ${flags}.`,
    `Every request: the many-users request, ${options.rate} req/s (open loop) for ${options.seconds} s per load, counted after ${options.warmSeconds} s of closed-loop warm-up; ` +
      `${options.rules.toLocaleString('en-US')} rules, ${options.otherSessions.toLocaleString('en-US')} other live sessions; ` +
      `"many sessions": ${options.sessions} sessions logged in through the form, each coming back every ${comesBack} ms.`,
  ];
}

/** What one load executes beyond another, function by function (warmed up: compilers left out). */
function addedTable(
  base: InstructionSummary,
  baseName: string,
  other: InstructionSummary,
  otherName: string,
): string[] {
  const baseBy = new Map(base.functions.map((f) => [`${f.area}\t${f.label}`, f.perRequest]));
  const added = other.functions
    .filter((f) => f.area !== Area.compilers)
    .map((f) => ({ ...f, base: baseBy.get(`${f.area}\t${f.label}`) ?? 0 }))
    .map((f) => ({ ...f, more: f.perRequest - f.base }))
    .sort((a, b) => b.more - a.more)
    .slice(0, 25);
  return [
    `| the 25 functions ${otherName} runs most beyond ${baseName} (self, per request) | area | ${baseName} | ${otherName} | more |`,
    '| --- | --- | ---: | ---: | ---: |',
    ...added.map(
      (f) =>
        `| \`${f.label}\` | ${f.area} | ${thousands(f.base)} | ${thousands(f.perRequest)} | ${signed(f.more)} |`,
    ),
  ];
}

function ownTable(summary: InstructionSummary, name: string): string[] {
  const own = summary.functions.filter((f) => f.area === Area.sekisho).slice(0, 15);
  return [
    `| Sekisho's own functions, ${name} (self, per request) | instructions |`,
    '| --- | ---: |',
    ...own.map((f) => `| \`${f.label}\` | ${thousands(f.perRequest)} |`),
  ];
}
