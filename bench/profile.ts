import { readFile } from 'node:fs/promises';
import { OriginalPositions } from './source-maps.ts';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

export interface SelfTime {
  readonly name: string;
  readonly where: string;
  /** Share of all samples (busy and idle), in %. */
  readonly percent: number;
  /** Self time in all, µs. */
  readonly micros: number;
}

export interface ProfileSummary {
  /** Share of the samples in which the process was busy (not idle, not in the profiler's own session), in %. */
  readonly busyPercent: number;
  /** Busy time in all, µs. */
  readonly busyMicros: number;
  readonly functions: SelfTime[];
  /** Self time grouped by where the code lives (node core, undici, fastify, sekisho, …), in % of busy time and µs. */
  readonly areas: { area: string; percent: number; micros: number }[];
}

/**
 * Summarises a `--cpu-prof` profile: the top self-time functions and the areas they live in (the
 * bundled gateway's functions where their source maps put them: src/…, <package>/…).
 */
export async function summariseProfile(file: string, top = 25): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const originals = new OriginalPositions();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfTime = new Map<string, { name: string; where: string; micros: number }>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const micros = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    total += micros;
    // The profiler's own session (node:inspector) is the measurement, not the process's work.
    if (frame.functionName === '(idle)' || frame.url === 'node:inspector') idle += micros;
    const at = originals.find({ url: frame.url, line: frame.lineNumber, column: frame.columnNumber });
    const where = frame.url ? `${shorten(at.url)}:${at.line + 1}` : '';
    const key = `${frame.functionName}@${where}`;
    const entry = selfTime.get(key) ?? { name: frame.functionName || '(anonymous)', where, micros: 0 };
    entry.micros += micros;
    selfTime.set(key, entry);
  });
  const busy = total - idle;
  const areas = new Map<string, number>();
  for (const entry of selfTime.values()) {
    if (entry.name === '(idle)' || entry.where.startsWith('node:inspector:')) continue;
    const area = areaOf(entry.name, entry.where);
    areas.set(area, (areas.get(area) ?? 0) + entry.micros);
  }
  return {
    busyPercent: (100 * busy) / total,
    functions: [...selfTime.values()]
      .sort((a, b) => b.micros - a.micros)
      .slice(0, top)
      .map((e) => ({ name: e.name, where: e.where, percent: (100 * e.micros) / total, micros: e.micros })),
    busyMicros: busy,
    areas: [...areas]
      .sort((a, b) => b[1] - a[1])
      .map(([area, micros]) => ({ area, percent: (100 * micros) / busy, micros })),
  };
}

export function shorten(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return url.slice(modules + 'node_modules/'.length);
  const src = url.indexOf('/src/');
  if (src !== -1) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}

function areaOf(name: string, where: string): string {
  if (name.startsWith('(')) return name === '(garbage collector)' ? 'GC' : `${name} (native, I/O)`;
  if (where.startsWith('node:')) return 'Node core (http, net, streams)';
  if (where.startsWith('src/')) return 'Sekisho (src/)';
  const pkg = /^(@[^/]+\/[^/]+|[^/]+)/.exec(where)?.[1];
  return pkg ?? 'native / other';
}
