import { readFile } from 'node:fs/promises';
import { shorten } from './profile.ts';

interface HeapNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children: HeapNode[];
}

interface HeapProfile {
  readonly head: HeapNode;
  readonly samples: { size: number; nodeId: number }[];
}

export interface AllocationSite {
  readonly name: string;
  readonly where: string;
  /** Sampled bytes in all (an estimate of what was allocated there). */
  readonly bytes: number;
}

export interface HeapSummary {
  readonly bytes: number;
  /** By the function that allocated. */
  readonly allocators: AllocationSite[];
  /** By the innermost of the gateway's own functions (src/) on the stack, else the allocator's package. */
  readonly owners: AllocationSite[];
}

/**
 * Summarises a sampling heap profile (`HeapProfiler.stopSampling`): where the sampled bytes were
 * allocated, by the allocating function and by the gateway's own code that led to it.
 */
export async function summariseHeapProfile(file: string, top = 30): Promise<HeapSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as HeapProfile;
  const stacks = new Map<number, HeapNode[]>();
  const walk = (node: HeapNode, stack: HeapNode[]) => {
    const here = [...stack, node];
    stacks.set(node.id, here);
    for (const child of node.children) walk(child, here);
  };
  walk(profile.head, []);
  const allocators = new Map<string, AllocationSite>();
  const owners = new Map<string, AllocationSite>();
  const add = (into: Map<string, AllocationSite>, name: string, where: string, size: number) => {
    const key = `${name}@${where}`;
    const site = into.get(key) ?? { name, where, bytes: 0 };
    into.set(key, { ...site, bytes: site.bytes + size });
  };
  let bytes = 0;
  for (const sample of profile.samples) {
    const stack = stacks.get(sample.nodeId) ?? [];
    const top = stack.at(-1);
    if (!top) continue;
    bytes += sample.size;
    add(allocators, top.callFrame.functionName || '(anonymous)', whereOf(top), sample.size);
    const own = stack.findLast((node) => shorten(node.callFrame.url).startsWith('src/'));
    if (own) add(owners, own.callFrame.functionName || '(anonymous)', whereOf(own), sample.size);
    else add(owners, `(${packageOf(top)})`, '', sample.size);
  }
  const sorted = (sites: Map<string, AllocationSite>) =>
    [...sites.values()].sort((a, b) => b.bytes - a.bytes).slice(0, top);
  return { bytes, allocators: sorted(allocators), owners: sorted(owners) };
}

function whereOf(node: HeapNode): string {
  return node.callFrame.url ? `${shorten(node.callFrame.url)}:${node.callFrame.lineNumber + 1}` : '';
}

function packageOf(node: HeapNode): string {
  const where = shorten(node.callFrame.url);
  if (where === '') return node.callFrame.functionName || 'native';
  if (where.startsWith('node:')) return 'Node core';
  return /^(@[^/]+\/[^/]+|[^/]+)/.exec(where)?.[1] ?? where;
}

interface HeapSnapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: [string[]] } };
  readonly nodes: number[];
  readonly strings: string[];
}

export interface HeldKind {
  /** The constructor's name, or the kind of a native object (`(string)`, `(code)`, …). */
  readonly name: string;
  readonly count: number;
  readonly bytes: number;
}

/** What a heap snapshot holds by constructor (self sizes, so each byte is counted once). */
export async function summariseHeapSnapshot(
  file: string,
  top = 20,
): Promise<{ bytes: number; kinds: HeldKind[] }> {
  const snapshot = JSON.parse(await readFile(file, 'utf8')) as HeapSnapshot;
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const kinds = new Map<string, HeldKind>();
  let bytes = 0;
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt] ?? 0] ?? '';
    const size = snapshot.nodes[i + sizeAt] ?? 0;
    const name =
      type === 'object' || type === 'closure'
        ? (snapshot.strings[snapshot.nodes[i + nameAt] ?? 0] ?? '')
        : `(${type})`;
    const key = type === 'closure' ? `${name}()` : name;
    const kind = kinds.get(key) ?? { name: key, count: 0, bytes: 0 };
    kinds.set(key, { name: key, count: kind.count + 1, bytes: kind.bytes + size });
    bytes += size;
  }
  return { bytes, kinds: [...kinds.values()].sort((a, b) => b.bytes - a.bytes).slice(0, top) };
}
