import { describe, expect, it } from 'vitest';
import { Area, summariseInstructions, type Tally } from './callgrind.ts';
import type { CountedLoad, InstructionsOptions } from './instructions.ts';
import { markdownInstructions } from './instructions-report.ts';
import type { MachineInfo } from './report.ts';

/** A tally from [area, label, count] rows, as `tally` makes one from a callgrind file. */
function tallyOf(rows: [Area, string, number][]): Tally {
  return new Map(rows.map(([area, label, count]) => [`${area}\t${label}`, { area, label, count }]));
}

describe('summariseInstructions', () => {
  it('takes out of each function what the process spends in as long idle, and leaves the compilers out of the steady figure', () => {
    // 100 requests in 10 s; 2 s idle. The timer runs at 50 a second idle: 500 of the 1,500 are
    // the process's own ticking, not the requests'.
    const loaded = tallyOf([
      [Area.nodeJs, 'listOnTimeout node:internal/timers:512', 1500],
      [Area.sekisho, 'route src/proxy/lean-proxy.js:133', 4000],
      [Area.compilers, 'v8::internal::compiler::Pipeline', 2000],
    ]);
    const idle = tallyOf([
      [Area.nodeJs, 'listOnTimeout node:internal/timers:512', 100],
      [Area.compilers, 'v8::internal::compiler::Pipeline', 50],
      // Idle only (a probe's code): its share is taken out too, so it may come out below zero.
      [Area.native, 'uv__io_poll', 20],
    ]);
    const summary = summariseInstructions(loaded, { requests: 100, seconds: 10 }, idle, 2);
    const per = Object.fromEntries(summary.functions.map((f) => [f.label, f.perRequest]));
    expect(per).toEqual({
      'listOnTimeout node:internal/timers:512': (1500 - 50 * 10) / 100,
      'route src/proxy/lean-proxy.js:133': 40,
      'v8::internal::compiler::Pipeline': (2000 - 25 * 10) / 100,
      uv__io_poll: -(10 * 10) / 100,
    });
    expect(summary.functions.map((f) => f.label)).toEqual([
      'route src/proxy/lean-proxy.js:133',
      'v8::internal::compiler::Pipeline',
      'listOnTimeout node:internal/timers:512',
      'uv__io_poll',
    ]);
    expect(summary.perRequest).toBeCloseTo(10 + 40 + 17.5 - 1, 9);
    expect(summary.steadyPerRequest).toBeCloseTo(10 + 40 - 1, 9);
    // What it spends idle a second, compilers left out: 50 + 10.
    expect(summary.idlePerSecond).toBe(60);
    expect(summary.areas.get(Area.sekisho)).toBe(40);
    expect(summary.areas.get(Area.compilers)).toBe(17.5);
  });
});

describe('markdownInstructions', () => {
  const options: InstructionsOptions = {
    rate: 60,
    sessions: 30,
    seconds: 60,
    warmSeconds: 60,
    rules: 10_000,
    otherSessions: 100_000,
    connections: 10,
    targets: new Set(['floor', 'gateway-1', 'gateway']),
    countedNodeArgs: [],
  };
  const info: MachineInfo = {
    cpu: 'Test CPU',
    cores: 2,
    node: '22.23.3',
    generator: 'test',
    nginx: null,
    pinned: true,
    gatewayEnv: {},
    gatewayNodeArgs: [],
    gatewayCode: 'compiled',
  };
  const load = (target: string, rows: [Area, string, number][], keptUp = true): CountedLoad => ({
    target,
    summary: summariseInstructions(tallyOf(rows), { requests: 1, seconds: 1 }, new Map(), 1),
    errors: keptUp ? 0 : 7,
    roundTrips: keptUp ? 0.01 : 1,
    keptUp,
  });
  const floor = load('floor', [
    [Area.native, 'llhttp__internal_execute', 100_000],
    [Area.builtins, 'Builtins_KeyedLoadIC_Megamorphic', 60_000],
  ]);
  const one = load('gateway-1', [
    [Area.native, 'llhttp__internal_execute', 100_000],
    [Area.builtins, 'Builtins_KeyedLoadIC_Megamorphic', 80_000],
    [Area.sekisho, 'route src/proxy/lean-proxy.js:133', 6_000],
    [Area.regExp, 'RegExp:[^\\t\\x20-\\x7e\\x80-\\xff]', 13_000],
    // A major GC that fell in the counted minute.
    [Area.gc, 'v8::internal::ConcurrentMarking::RunMajor', 40_000],
    // The JIT's share is shown, not counted as what the gateway adds.
    [Area.compilers, 'v8::internal::compiler::Pipeline', 500_000],
  ]);
  const many = load('gateway', [[Area.native, 'llhttp__internal_execute', 100_000]], false);

  it('gives each load beside the floor, in the ratio to it, warmed up', () => {
    const text = markdownInstructions(
      { options, valgrind: 'valgrind-3.19.0', loads: [floor, one, many] },
      info,
    );
    const row = (start: string) => text.split('\n').find((l) => l.startsWith(start));
    expect(row('| **in all, warmed up**')).toBe(
      '| **in all, warmed up** | **160,000** | **239,000** | **100,000** |',
    );
    expect(row("| ÷ the floor's |")).toBe("| ÷ the floor's | **1.00** | **1.49** | **0.63** |");
    expect(row('| without garbage collection')).toBe(
      '| without garbage collection | 160,000 | 199,000 | 100,000 |',
    );
    expect(row("| ÷ the floor's, without")).toBe(
      "| ÷ the floor's, without garbage collection | 1.00 | 1.24 | 0.63 |",
    );
    expect(row('| kept up with real time')).toBe(
      '| kept up with real time (no errors, session cache on) | yes | yes | **no** (7 errors): not comparable |',
    );
    expect(row(`| ${Area.compilers}`)).toBe(`| ${Area.compilers} | 0 | 500,000 | 0 |`);
    expect(text).toContain('each coming back every 500 ms');
    expect(text).toContain('Node flags from `--counted-node-args` (beyond the perf map): none');
    const flagged = markdownInstructions(
      {
        options: { ...options, countedNodeArgs: ['--no-concurrent-recompilation'] },
        valgrind: 'valgrind-3.19.0',
        loads: [floor],
      },
      info,
    );
    expect(flagged).toContain(
      'Node flags from `--counted-node-args` (beyond the perf map): `--no-concurrent-recompilation`.',
    );
  });

  it('lists what the gateway runs beyond the floor, most first, without the compilers', () => {
    const text = markdownInstructions({ options, valgrind: 'valgrind-3.19.0', loads: [floor, one] }, info);
    const lines = text.split('\n');
    const head = lines.findIndex((l) => l.includes('runs most beyond the floor'));
    expect(head).toBeGreaterThan(0);
    expect(lines.slice(head + 2, head + 7)).toEqual([
      '| `v8::internal::ConcurrentMarking::RunMajor` | garbage collection | 0 | 40,000 | +40,000 |',
      '| `Builtins_KeyedLoadIC_Megamorphic` | V8 built-ins (property access, calls, strings, interpreter) | 60,000 | 80,000 | +20,000 |',
      '| `RegExp:[^\\t\\x20-\\x7e\\x80-\\xff]` | regular expressions (compiled by V8) | 0 | 13,000 | +13,000 |',
      "| `route src/proxy/lean-proxy.js:133` | JavaScript: Sekisho's own (src/, plugins/) | 0 | 6,000 | +6,000 |",
      '| `llhttp__internal_execute` | Node C++ and libuv (HTTP parser, streams, I/O) | 100,000 | 100,000 | +0 |',
    ]);
    expect(text).not.toContain('`v8::internal::compiler::Pipeline`');
    // Sekisho's own functions, on their own.
    expect(text).toContain(
      "| Sekisho's own functions, Sekisho, one session (self, per request) | instructions |",
    );
    expect(text).toContain('| `route src/proxy/lean-proxy.js:133` | 6,000 |');
  });

  it('with the identity floor counted, sets the gateway against it and shows what the identity costs the floor', () => {
    const identity = load('floor-identity', [
      [Area.native, 'llhttp__internal_execute', 110_000],
      [Area.builtins, 'Builtins_KeyedLoadIC_Megamorphic', 64_000],
      [Area.regExp, 'RegExp:[^\\t\\x20-\\x7e\\x80-\\xff]', 13_000],
      [Area.gc, 'v8::internal::Heap::Scavenge', 12_000],
    ]);
    const text = markdownInstructions(
      { options, valgrind: 'valgrind-3.19.0', loads: [floor, identity, one] },
      info,
    );
    const lines = text.split('\n');
    // 239,000 ÷ 199,000; without GC 199,000 ÷ 187,000.
    expect(text).toContain('Sekisho, one session **1.20×**, without garbage collection **1.06×**.');
    const identityHead = lines.findIndex((l) => l.includes('the identity floor runs most beyond the floor'));
    expect(lines.slice(identityHead + 2, identityHead + 4)).toEqual([
      '| `RegExp:[^\\t\\x20-\\x7e\\x80-\\xff]` | regular expressions (compiled by V8) | 0 | 13,000 | +13,000 |',
      '| `v8::internal::Heap::Scavenge` | garbage collection | 0 | 12,000 | +12,000 |',
    ]);
    const gatewayHead = lines.findIndex((l) =>
      l.includes('Sekisho, one session runs most beyond the identity floor'),
    );
    expect(lines.slice(gatewayHead + 2, gatewayHead + 4)).toEqual([
      '| `v8::internal::ConcurrentMarking::RunMajor` | garbage collection | 0 | 40,000 | +40,000 |',
      '| `Builtins_KeyedLoadIC_Megamorphic` | V8 built-ins (property access, calls, strings, interpreter) | 64,000 | 80,000 | +16,000 |',
    ]);
    // Less than the base is written as less, not as "+-".
    expect(text).toContain(
      '| `llhttp__internal_execute` | Node C++ and libuv (HTTP parser, streams, I/O) | 110,000 | 100,000 | −10,000 |',
    );
    // The gateway is no longer set against the bare floor, and the identity floor has no own functions.
    expect(lines.filter((l) => l.includes('runs most beyond the floor ('))).toHaveLength(1);
    expect(text).not.toContain("Sekisho's own functions, the floor carrying");
  });
});
