import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Area, classify, parseCallgrind, PerfMap, summariseInstructions, tally } from './callgrind.ts';

const run = promisify(execFile);

/** callgrind_annotate (valgrind's own reader) on a file: its PROGRAM TOTALS line. */
async function annotatedTotal(file: string): Promise<number> {
  const { stdout } = await run('callgrind_annotate', [file], { maxBuffer: 1 << 26 });
  const line = stdout.split('\n').find((l) => l.includes('PROGRAM TOTALS')) ?? '';
  return Number(line.trim().split(/\s+/)[0]?.replaceAll(',', ''));
}

describe('parseCallgrind', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sekisho-callgrind-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('counts each function’s own instructions, not the inclusive cost of its calls, across compressed names', async () => {
    // The shape callgrind writes: names compressed as (id), a call's inclusive cost after calls=.
    const text = [
      '# callgrind format',
      'version: 1',
      'positions: line',
      'events: Ir',
      '',
      'ob=(1) /usr/bin/node',
      'fl=(1) ???',
      'fn=(1) main',
      '10 100',
      'cob=(2) /usr/lib/libc.so.6',
      'cfi=(2) malloc.c',
      'cfn=(2) malloc',
      'calls=3 0',
      '11 900',
      '+1 20',
      'ob=(2)',
      'fl=(2)',
      'fn=(2)',
      '0 900',
      'ob=(1)',
      'fl=(1)',
      'fn=(3) 0x0000000010001000',
      '* 50',
      'fn=(1)',
      '12 5',
      'totals: 1075',
    ].join('\n');
    const file = join(dir, 'small.out');
    await writeFile(file, text);
    const counts = parseCallgrind(text);
    const self = Object.fromEntries(counts.functions.map((f) => [`${f.object} ${f.name}`, f.self]));
    expect(self).toEqual({
      '/usr/bin/node main': 125,
      '/usr/lib/libc.so.6 malloc': 900,
      '/usr/bin/node 0x0000000010001000': 50,
    });
    expect(counts.total).toBe(1075);
    expect(counts.reportedTotal).toBe(1075);
    expect(await annotatedTotal(file)).toBe(1075);
  });

  it('reads a real Node process counted by callgrind: the same total as callgrind_annotate, the hot JavaScript function named from the perf map', async () => {
    const script = join(dir, 'hot.mjs');
    await writeFile(
      script,
      [
        'function hotLoop(n) { let s = 0; for (let i = 0; i < n; i++) s += (i * 7) % 13; return s; }',
        'let total = 0;',
        'for (let k = 0; k < 40000; k++) total += hotLoop(200);',
        'console.log(total);',
      ].join('\n'),
    );
    const out = join(dir, 'callgrind.out');
    // The optimising compiler on the main thread: when hotLoop is compiled then depends on its
    // calls alone, not on when valgrind (which runs one thread at a time) lets a compiler thread
    // run. Compiled in the background, it could come after the loops had all run in the
    // interpreter, and the perf map then names no code that ran.
    const node = [process.execPath, '--perf-basic-prof', '--no-concurrent-recompilation', script];
    const child = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, ...node], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let printed = '';
    child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const mapFile = `/tmp/perf-${child.pid}.map`;
    try {
      expect(code).toBe(0);
      // The script ran to its end under valgrind (the sum of 40,000 × the loop's value).
      expect(printed.trim()).toBe(String(40_000 * expectedLoopSum(200)));
      const counts = parseCallgrind(await readFile(out, 'utf8'));
      expect(counts.total).toBe(counts.reportedTotal);
      expect(counts.total).toBe(await annotatedTotal(out));

      const map = new PerfMap(await readFile(mapFile, 'utf8'));
      // No idle share to take out: each of the 40,000 calls counts as a "request".
      const calls = 40_000;
      const summary = summariseInstructions(
        tally(counts, map),
        { requests: calls, seconds: 0 },
        new Map(),
        1,
      );
      const javaScript = summary.functions.filter((f) => f.area === Area.packages);
      expect(javaScript[0]?.label).toMatch(/^hotLoop .*hot\.mjs:1$/);
      // 8 million loop iterations: several instructions each, most of the script's own work.
      expect((javaScript[0]?.perRequest ?? 0) * calls).toBeGreaterThan(20_000_000);
      expect(summary.perRequest).toBeCloseTo(counts.total / calls, 6);
      // Node's own start-up is counted too, in its areas.
      expect(summary.areas.get(Area.runtime) ?? 0).toBeGreaterThan(0);
      expect(summary.areas.get(Area.builtins) ?? 0).toBeGreaterThan(0);
    } finally {
      await rm(mapFile, { force: true });
    }
  });
});

describe('classify', () => {
  const map = new PerfMap(
    [
      '10001000 200 JS:*parseHeaders /app/node_modules/undici/lib/core/util.js:436:23',
      '10002000 100 JS:^route file:///app/dist/src/proxy/lean-proxy.js:133:17',
      '10003000 100 JS:~emit node:events:466:44',
      '10004000 80 RegExp:[^\\t\\x20-\\x7e\\x80-\\xff]',
      // The same address used again by newer code: the newer name counts.
      '10002000 100 JS:*route file:///app/dist/src/proxy/lean-proxy.js:133:17',
    ].join('\n'),
  );
  const at = (address: string) => classify({ object: '???', name: address, self: 1 }, map);

  it('names JavaScript by function and file, with every tier of a function under one label', () => {
    expect(at('0x0000000010001010')).toEqual({
      area: Area.undici,
      label: 'parseHeaders undici/lib/core/util.js:436',
    });
    expect(at('0x0000000010002000')).toEqual({
      area: Area.sekisho,
      label: 'route src/proxy/lean-proxy.js:133',
    });
    expect(at('0x0000000010003050')).toEqual({ area: Area.nodeJs, label: 'emit node:events:466' });
    expect(at('0x0000000010004000').area).toBe(Area.regExp);
    expect(at('0x0000000010005000')).toEqual({ area: Area.unnamed, label: '(no name)' });
  });

  it('puts the node binary’s symbols in built-ins, GC, compilers, Node C++ or V8 runtime', () => {
    const node = (name: string) => classify({ object: '/usr/local/bin/node', name, self: 1 }, map).area;
    expect(node('Builtins_KeyedLoadIC_Megamorphic')).toBe(Area.builtins);
    expect(node('v8::internal::Scavenger::ScavengeObject(int)')).toBe(Area.gc);
    expect(node('v8::internal::compiler::GraphReducer::ReduceTop()')).toBe(Area.compilers);
    expect(node('llhttp__internal_execute')).toBe(Area.native);
    expect(node('v8::internal::String::SlowEquals(int)')).toBe(Area.runtime);
    expect(
      classify({ object: '/usr/lib/x86_64-linux-gnu/libc.so.6', name: 'malloc', self: 1 }, map).area,
    ).toBe(Area.libc);
  });
});

/** What hotLoop(n) returns, computed here without the script. */
function expectedLoopSum(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (i * 7) % 13;
  return sum;
}
