/**
 * Reading what `valgrind --tool=callgrind` counted in a Node process: instructions executed (Ir),
 * per function, in user space, in every thread of the process. Unlike time, the count does not
 * depend on what else the machine is doing (what the JIT compiled, and when, still varies a
 * little from run to run). JavaScript compiled by V8 has no symbols; Node's `--perf-basic-prof`
 * writes where each piece of code lies (/tmp/perf-<pid>.map), which names it.
 */
import { shorten } from './profile.ts';

/** Instructions counted in one function, and where it lives. */
export interface CountedFunction {
  /** The shared object (the node binary, libc) or "???" for code made at run time. */
  readonly object: string;
  /** The symbol, or `0x…` for code made at run time. */
  readonly name: string;
  /** Instructions executed in the function itself. */
  readonly self: number;
}

export interface CallgrindCounts {
  readonly functions: CountedFunction[];
  /** The sum over all functions. */
  readonly total: number;
  /** What callgrind wrote as the file's total (`totals:` or `summary:`), to check the sum against. */
  readonly reportedTotal: number | null;
}

/** The kinds of name a callgrind file compresses, and the lines that use each kind's table. */
const nameTable: Readonly<Record<string, 'ob' | 'fl' | 'fn'>> = {
  ob: 'ob',
  cob: 'ob',
  fl: 'fl',
  fi: 'fl',
  fe: 'fl',
  cfi: 'fl',
  cfl: 'fl',
  fn: 'fn',
  cfn: 'fn',
};

/**
 * Self instructions per function from a callgrind output file (format version 1, event Ir first).
 * A cost line after `calls=` is the call's inclusive cost and is not the caller's own.
 */
export function parseCallgrind(text: string): CallgrindCounts {
  const tables = {
    ob: new Map<string, string>(),
    fl: new Map<string, string>(),
    fn: new Map<string, string>(),
  };
  const resolve = (key: string, value: string): string => {
    const compressed = /^\((\d+)\)(?: (.*))?$/.exec(value);
    if (!compressed) return value;
    const table = tables[nameTable[key] ?? 'fn'];
    const [, id = '', name] = compressed;
    if (name !== undefined) table.set(id, name);
    return table.get(id) ?? value;
  };
  const self = new Map<string, { object: string; name: string; self: number }>();
  let object = '';
  let current: { object: string; name: string; self: number } | null = null;
  let callCost = false;
  let reportedTotal: number | null = null;
  for (const line of text.split('\n')) {
    const first = line.charCodeAt(0);
    // Cost lines start with a position: a digit, +, - or *.
    if ((first >= 48 && first <= 57) || first === 43 || first === 45 || first === 42) {
      if (callCost) callCost = false;
      else if (current) current.self += Number(line.trim().split(/\s+/)[1] ?? 0);
      continue;
    }
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq) : '';
    if (key === 'ob') object = resolve(key, line.slice(eq + 1));
    else if (key === 'fn') {
      const name = resolve(key, line.slice(eq + 1));
      const id = `${object}\t${name}`;
      current = self.get(id) ?? { object, name, self: 0 };
      self.set(id, current);
    } else if (key === 'calls') callCost = true;
    else if (key in nameTable) resolve(key, line.slice(eq + 1));
    else if (line.startsWith('totals:') || line.startsWith('summary:'))
      reportedTotal = Number(
        line
          .slice(line.indexOf(':') + 1)
          .trim()
          .split(/\s+/)[0],
      );
  }
  const functions = [...self.values()];
  return { functions, total: functions.reduce((sum, f) => sum + f.self, 0), reportedTotal };
}

/** Code V8 made at run time, by address: Node's `--perf-basic-prof` map (`start size name`, hex). */
export class PerfMap {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly names: string[] = [];

  /** `rename`: applied to each name, e.g. to give bundled code its original location (bench/source-maps.ts). */
  constructor(text: string, rename: (name: string) => string = (name) => name) {
    const entries = new Map<number, { end: number; name: string }>();
    for (const line of text.split('\n')) {
      const [start = '', size = '', ...name] = line.split(' ');
      if (name.length === 0) continue;
      const at = Number.parseInt(start, 16);
      // Code at an address used again (the old code was collected) is named by the newest line.
      entries.set(at, { end: at + Number.parseInt(size, 16), name: rename(name.join(' ')) });
    }
    for (const [start, { end, name }] of [...entries].sort((a, b) => a[0] - b[0])) {
      this.starts.push(start);
      this.ends.push(end);
      this.names.push(name);
    }
  }

  /** The name of the code containing this address, if the map has it. */
  nameAt(address: number): string | undefined {
    let low = 0;
    let high = this.starts.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if ((this.starts[middle] ?? 0) <= address) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    return found >= 0 && address < (this.ends[found] ?? 0) ? this.names[found] : undefined;
  }
}

/** Where instructions go, coarsely: each function falls in one area. */
export const Area = {
  nodeJs: "JavaScript: Node's own (http, net, streams, events)",
  undici: 'JavaScript: undici',
  sekisho: "JavaScript: Sekisho's own (src/, plugins/)",
  packages: 'JavaScript: other packages',
  builtins: 'V8 built-ins (property access, calls, strings, interpreter)',
  regExp: 'regular expressions (compiled by V8)',
  runtime: 'V8 runtime and API (C++)',
  gc: 'garbage collection',
  compilers: 'JIT compilers (warm-up, not steady state)',
  native: 'Node C++ and libuv (HTTP parser, streams, I/O)',
  libc: 'C and C++ libraries (malloc, memcpy)',
  unnamed: 'code without a name (WebAssembly such as undici’s HTTP parser)',
} as const;
export type Area = (typeof Area)[keyof typeof Area];

const gcSymbol =
  /Scaveng|MarkCompact|Marking|Sweep|Evacuat|MinorM|heap::base|RememberedSet|SlotSet|GCTracer|Heap::/;
const compilerSymbol = /compiler::|maglev::|Maglev|turboshaft|baseline::|Zone::|Turbofan|TurboFan/;

/** A function's area and a readable label (JavaScript as `name file:line`, tiers merged). */
export function classify(fn: CountedFunction, map: PerfMap): { area: Area; label: string } {
  if (fn.name.startsWith('0x')) {
    const named = map.nameAt(Number.parseInt(fn.name, 16));
    if (named === undefined) return { area: Area.unnamed, label: '(no name)' };
    return classifyJitCode(named);
  }
  if (!fn.object.endsWith('/node')) return { area: Area.libc, label: fn.name };
  if (fn.name.startsWith('Builtins_'))
    return { area: Area.builtins, label: fn.name.slice('Builtins_'.length) };
  if (gcSymbol.test(fn.name)) return { area: Area.gc, label: shortSymbol(fn.name) };
  if (compilerSymbol.test(fn.name)) return { area: Area.compilers, label: shortSymbol(fn.name) };
  if (/^(node::|llhttp|uv_|uv__)/.test(fn.name)) return { area: Area.native, label: shortSymbol(fn.name) };
  return { area: Area.runtime, label: shortSymbol(fn.name) };
}

function classifyJitCode(named: string): { area: Area; label: string } {
  const kind = named.slice(0, named.indexOf(':'));
  if (kind === 'RegExp') return { area: Area.regExp, label: named };
  if (kind !== 'JS') return { area: Area.builtins, label: named };
  // `JS:*name file:line:column`: the tier mark (* ^ ~ +) dropped, so every tier of a function adds up.
  const rest = named.slice(3).replace(/^[*^~+]/, '');
  const space = rest.lastIndexOf(' ');
  const name = space === -1 ? rest : rest.slice(0, space) || '(anonymous)';
  const where = space === -1 ? '' : rest.slice(space + 1).replace(/:\d+$/, '');
  const modules = where.lastIndexOf('node_modules/');
  const label = `${name} ${shorten(where)}`.trim();
  if (where.startsWith('node:')) return { area: Area.nodeJs, label };
  if (modules !== -1)
    return { area: where.startsWith('undici/', modules + 13) ? Area.undici : Area.packages, label };
  if (/\/(src|plugins)\//.test(where)) return { area: Area.sekisho, label };
  return { area: Area.packages, label };
}

/** A C++ symbol without its argument list. */
function shortSymbol(symbol: string): string {
  const plain = symbol.replaceAll('(anonymous namespace)::', '');
  const paren = plain.indexOf('(');
  return paren > 0 ? plain.slice(0, paren) : plain;
}

/** Instructions by function (labelled as {@link classify} does), in one counted interval. */
export type Tally = ReadonlyMap<
  string,
  { readonly label: string; readonly area: Area; readonly count: number }
>;

/** Adds up a count by label: every tier of a JavaScript function, every copy of a symbol, once. */
export function tally(counts: CallgrindCounts, map: PerfMap): Tally {
  const byLabel = new Map<string, { label: string; area: Area; count: number }>();
  for (const fn of counts.functions) {
    const { area, label } = classify(fn, map);
    const key = `${area}\t${label}`;
    const entry = byLabel.get(key) ?? { label, area, count: 0 };
    entry.count += fn.self;
    byLabel.set(key, entry);
  }
  return byLabel;
}

export interface InstructionSummary {
  readonly requests: number;
  /** What a request costs: the loaded interval less what the process spends idle in as long, per request. */
  readonly perRequest: number;
  /** The same without the JIT compilers' share (what a warmed-up process spends). */
  readonly steadyPerRequest: number;
  /** What the process spends per second with no request (timers, probes, heartbeat), compilers left out. */
  readonly idlePerSecond: number;
  /** Per request, by area (idle share taken out). */
  readonly areas: ReadonlyMap<Area, number>;
  /** Per request, by label, largest first (idle share taken out). */
  readonly functions: readonly { label: string; area: Area; perRequest: number }[];
}

/**
 * Instructions per request from a loaded interval of `seconds` with `requests` answered, less
 * what the same process executed per second while idle (`idle`, over `idleSeconds`): a process's
 * timers and probes cost the same whatever the rate, so at a counted rate of tens of requests a
 * second they would otherwise weigh on each request a hundred times more than at 2,000.
 */
export function summariseInstructions(
  loaded: Tally,
  load: { readonly requests: number; readonly seconds: number },
  idle: Tally,
  idleSeconds: number,
): InstructionSummary {
  const areas = new Map<Area, number>();
  const functions: { label: string; area: Area; perRequest: number }[] = [];
  let idleRate = 0;
  for (const [key, { label, area }] of new Map([...idle, ...loaded])) {
    const idleCount = idle.get(key)?.count ?? 0;
    if (area !== Area.compilers) idleRate += idleCount / idleSeconds;
    const perRequest =
      ((loaded.get(key)?.count ?? 0) - (idleCount / idleSeconds) * load.seconds) / load.requests;
    areas.set(area, (areas.get(area) ?? 0) + perRequest);
    functions.push({ label, area, perRequest });
  }
  const perRequest = [...areas.values()].reduce((sum, n) => sum + n, 0);
  return {
    requests: load.requests,
    perRequest,
    steadyPerRequest: perRequest - (areas.get(Area.compilers) ?? 0),
    idlePerSecond: idleRate,
    areas,
    functions: functions.sort((a, b) => b.perRequest - a.perRequest),
  };
}
