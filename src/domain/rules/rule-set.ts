import { NO_NETWORKS, parseAddress, type Networks } from '../networks.ts';
import type { AccessRule } from './types.ts';

/**
 * The client's address, or how to read it: a function is called only when a prefix on the way
 * has `from=` rules, so rule sets without them never pay for reading `X-Forwarded-For`.
 * Null: unknown (no `from=` rule applies).
 */
export type ClientAddressSource = string | null | (() => string | null);

/** The address a source gives (read now). */
export function clientAddressOf(source: ClientAddressSource | undefined): string | null {
  return typeof source === 'function' ? source() : (source ?? null);
}

/** A compiled, immutable set of access rules. */
export interface RuleSet {
  /** Every rule in evaluation order: longest prefix first, host rules before generic ones on ties. */
  readonly rules: readonly AccessRule[];
  /**
   * The rule for a request, or null (default deny). `path` must already be normalised;
   * matching ignores letter case. `host` is the request's Host (`host[:port]`), if any;
   * `client` the client's address (null: unknown, and then no `from=` rule applies).
   */
  match(host: string | null, path: string, client?: ClientAddressSource): AccessRule | null;
  /** Whether some rule has `newdevice=` (logins are judged new or known only then). */
  readonly hasNewDevice: boolean;
}

/**
 * The rules of one host (or every host) at one prefix: those with `from=` in the order they are
 * tried, then the one for every client. Once a request reaches a slot, the slot decides: when
 * none of its rules is for this client, the request is refused, never handed to a shorter prefix
 * (`/bk01/admin/` kept to the intranet must not fall back to `/bk01/`'s rule from outside).
 */
interface Slot {
  readonly networked: AccessRule[];
  anyClient: AccessRule | null;
}

interface HostSlot {
  readonly slot: Slot;
  readonly host: string;
  readonly hasPort: boolean;
}

/** The rules sharing one prefix. */
interface Bucket {
  generic: Slot | null;
  readonly hosted: HostSlot[];
}

/** A client address, read and parsed at most once per match. */
interface ClientRef {
  readonly source: ClientAddressSource;
  parsed: bigint | null | undefined;
}

/**
 * Compiles rules for matching. Rules are indexed by prefix, so a match costs one map
 * lookup per `/` boundary of the path, longest first, whatever the number of rules; a
 * prefix's `from=` variants sit in its bucket. For a duplicated host, prefix and `from` the
 * first rule given wins. `networks` resolve `from=` (a rule naming an unknown one never applies).
 */
export function compileRuleSet(rules: readonly AccessRule[], networks: Networks = NO_NETWORKS): RuleSet {
  const index = new Map<string, Bucket>();
  for (const rule of rules) addToIndex(index, rule);
  const order = [...networks.keys()];
  for (const bucket of index.values()) {
    for (const slot of [bucket.generic, ...bucket.hosted.map((h) => h.slot)])
      slot?.networked.sort((a, b) => compareFrom(a, b, order));
  }
  const ordered = [...rules].sort((a, b) => compareEvaluationOrder(a, b, order));
  let deepest = 0;
  for (const prefix of index.keys()) deepest = Math.max(deepest, slashCount(prefix));
  return {
    rules: ordered,
    match: (host, path, client = null) => matchIndex(index, deepest, networks, host, path, client),
    hasNewDevice: rules.some((rule) => rule.newDevice !== null),
  };
}

function addToIndex(index: Map<string, Bucket>, rule: AccessRule): void {
  let bucket = index.get(rule.prefix);
  if (!bucket) {
    bucket = { generic: null, hosted: [] };
    index.set(rule.prefix, bucket);
  }
  if (rule.host === null) {
    bucket.generic ??= { networked: [], anyClient: null };
    addToSlot(bucket.generic, rule);
    return;
  }
  const host = canonicalHost(rule.host);
  let hosted = bucket.hosted.find((candidate) => candidate.host === host);
  if (!hosted) {
    hosted = { slot: { networked: [], anyClient: null }, host, hasPort: stripPort(host) !== host };
    bucket.hosted.push(hosted);
  }
  addToSlot(hosted.slot, rule);
  // `host:8443` is more specific than `host`, which also matches any port.
  bucket.hosted.sort((a, b) => Number(b.hasPort) - Number(a.hasPort));
}

function addToSlot(slot: Slot, rule: AccessRule): void {
  if (rule.from === null) {
    slot.anyClient ??= rule;
    return;
  }
  const from = rule.from;
  const same = slot.networked.some(
    (other) => other.from?.network === from.network && other.from.negated === from.negated,
  );
  if (!same) slot.networked.push(rule);
}

/**
 * Which of a slot's `from=` rules is tried first when several match: `from=<network>` before
 * `from=!<network>` (the narrower statement), then in the order the networks are configured.
 */
function compareFrom(a: AccessRule, b: AccessRule, order: readonly string[]): number {
  if (!a.from || !b.from) return a.from ? -1 : b.from ? 1 : 0;
  if (a.from.negated !== b.from.negated) return a.from.negated ? 1 : -1;
  return order.indexOf(a.from.network) - order.indexOf(b.from.network);
}

function compareEvaluationOrder(a: AccessRule, b: AccessRule, order: readonly string[]): number {
  if (a.prefix.length !== b.prefix.length) return b.prefix.length - a.prefix.length;
  if ((a.host === null) !== (b.host === null)) return a.host === null ? 1 : -1;
  if (a.prefix !== b.prefix) return a.prefix < b.prefix ? -1 : 1;
  const byHost = (a.host ?? '') < (b.host ?? '') ? -1 : (a.host ?? '') > (b.host ?? '') ? 1 : 0;
  return byHost !== 0 ? byHost : compareFrom(a, b, order);
}

/**
 * The longest prefix with a rule, looked up from the deepest a rule has: a path's prefixes with
 * more `/` than any rule's cannot match, so a deep URL (`/app/team/docs/2026/report.html`) costs
 * a lookup per level a rule could be at, not per level of the path.
 */
function matchIndex(
  index: Map<string, Bucket>,
  deepest: number,
  networks: Networks,
  host: string | null,
  path: string,
  source: ClientAddressSource,
): AccessRule | null {
  const lower = path.toLowerCase();
  let end = endOfLevel(lower, deepest);
  // `/bk01` is the directory `/bk01/` without its slash, so it matches that rule too.
  let prefix = end === lower.length && !lower.endsWith('/') ? `${lower}/` : lower.slice(0, end);
  // Canonicalised only when a bucket on the way has host rules (most rule sets have none).
  let requestHost: string | null | undefined;
  const client: ClientRef = { source, parsed: undefined };
  for (;;) {
    const bucket = index.get(prefix);
    if (bucket) {
      if (bucket.hosted.length > 0 && requestHost === undefined)
        requestHost = host === null ? null : canonicalRequestHost(host);
      const slot = pickSlot(bucket, requestHost ?? null);
      if (slot) return pickFromSlot(slot, networks, client);
    }
    if (end <= 1) return null;
    end = lower.lastIndexOf('/', end - 2) + 1;
    prefix = lower.slice(0, end);
  }
}

/** How many `/` a prefix has: its level (`/` 1, `/bk01/` 2). */
function slashCount(prefix: string): number {
  let count = 0;
  for (let at = prefix.indexOf('/'); at !== -1; at = prefix.indexOf('/', at + 1)) count++;
  return count;
}

/** Where the prefix of `level` slashes ends in `path` (just after its last one); the whole path when it has fewer. */
function endOfLevel(path: string, level: number): number {
  let at = -1;
  for (let n = 0; n < level; n++) {
    at = path.indexOf('/', at + 1);
    if (at === -1) return path.length;
  }
  return at + 1;
}

function pickSlot(bucket: Bucket, requestHost: string | null): Slot | null {
  if (requestHost === null || bucket.hosted.length === 0) return bucket.generic;
  const bareHost = stripPort(requestHost);
  for (const candidate of bucket.hosted) {
    if (candidate.host === (candidate.hasPort ? requestHost : bareHost)) return candidate.slot;
  }
  return bucket.generic;
}

function pickFromSlot(slot: Slot, networks: Networks, client: ClientRef): AccessRule | null {
  if (slot.networked.length === 0) return slot.anyClient;
  if (client.parsed === undefined) {
    const text = clientAddressOf(client.source);
    client.parsed = text === null ? null : parseAddress(text);
  }
  const address = client.parsed;
  if (address !== null) {
    for (const rule of slot.networked) {
      const from = rule.from;
      const network = from ? networks.get(from.network) : undefined;
      if (from && network && network.contains(address) !== from.negated) return rule;
    }
  }
  return slot.anyClient;
}

/** Whether a client address is inside a named network (false when either is unknown). */
export function isInNetwork(networks: Networks, name: string, client: string | null): boolean {
  const address = client === null ? null : parseAddress(client);
  const network = networks.get(name);
  return address !== null && network !== undefined && network.contains(address);
}

/**
 * The Host header in the one form host rules are matched on: lower case, without the trailing
 * dot of an absolute name, the port as a plain number (`Intra.Example.:08443` → `intra.example:8443`).
 * The client chooses its Host; these spellings all reach the same server, so they get one rule.
 */
export function canonicalHost(host: string): string {
  const lower = host.toLowerCase();
  const bare = stripPort(lower);
  const name = bare.endsWith('.') && !bare.startsWith('[') ? bare.slice(0, -1) : bare;
  if (bare.length === lower.length) return name;
  const port = lower.slice(bare.length + 1);
  return /^\d{1,6}$/.test(port) ? `${name}:${Number(port)}` : `${name}:${port}`;
}

/** The last request Host canonicalised: clients of one gateway send the same few Host values. */
let lastHost = { host: '', canonical: '' };

function canonicalRequestHost(host: string): string {
  if (host !== lastHost.host) lastHost = { host, canonical: canonicalHost(host) };
  return lastHost.canonical;
}

/** `host:8080` → `host`, `[::1]:8080` → `[::1]`; a host without a port is returned as is. */
function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    return close < 0 ? host : host.slice(0, close + 1);
  }
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}
