import type { AccessRule } from './types.ts';

/** A compiled, immutable set of access rules. */
export interface RuleSet {
  /** Every rule in evaluation order: longest prefix first, host rules before generic ones on ties. */
  readonly rules: readonly AccessRule[];
  /**
   * The rule for a request, or null (default deny). `path` must already be normalised;
   * matching ignores letter case. `host` is the request's Host (`host[:port]`), if any.
   */
  match(host: string | null, path: string): AccessRule | null;
}

interface HostRule {
  readonly rule: AccessRule;
  readonly host: string;
  readonly hasPort: boolean;
}

/** The rules sharing one prefix. */
interface Bucket {
  generic: AccessRule | null;
  readonly hosted: HostRule[];
}

/**
 * Compiles rules for matching. Rules are indexed by prefix, so a match costs one map
 * lookup per `/` boundary of the path, longest first, whatever the number of rules.
 * For a duplicated host and prefix the first rule given wins.
 */
export function compileRuleSet(rules: readonly AccessRule[]): RuleSet {
  const index = new Map<string, Bucket>();
  for (const rule of rules) addToIndex(index, rule);
  const ordered = [...rules].sort(compareEvaluationOrder);
  return {
    rules: ordered,
    match: (host, path) => matchIndex(index, host, path),
  };
}

function addToIndex(index: Map<string, Bucket>, rule: AccessRule): void {
  let bucket = index.get(rule.prefix);
  if (!bucket) {
    bucket = { generic: null, hosted: [] };
    index.set(rule.prefix, bucket);
  }
  if (rule.host === null) {
    bucket.generic ??= rule;
    return;
  }
  const host = canonicalHost(rule.host);
  bucket.hosted.push({ rule, host, hasPort: stripPort(host) !== host });
  // `host:8443` is more specific than `host`, which also matches any port.
  bucket.hosted.sort((a, b) => Number(b.hasPort) - Number(a.hasPort));
}

function compareEvaluationOrder(a: AccessRule, b: AccessRule): number {
  if (a.prefix.length !== b.prefix.length) return b.prefix.length - a.prefix.length;
  if ((a.host === null) !== (b.host === null)) return a.host === null ? 1 : -1;
  if (a.prefix !== b.prefix) return a.prefix < b.prefix ? -1 : 1;
  return (a.host ?? '') < (b.host ?? '') ? -1 : (a.host ?? '') > (b.host ?? '') ? 1 : 0;
}

function matchIndex(index: Map<string, Bucket>, host: string | null, path: string): AccessRule | null {
  const lower = path.toLowerCase();
  // `/bk01` is the directory `/bk01/` without its slash, so it matches that rule too.
  const target = lower.endsWith('/') ? lower : `${lower}/`;
  // Canonicalised only when a bucket on the way has host rules (most rule sets have none).
  let requestHost: string | null | undefined;
  let end = target.length;
  while (end > 0) {
    const bucket = index.get(target.slice(0, end));
    if (bucket) {
      if (bucket.hosted.length > 0 && requestHost === undefined)
        requestHost = host === null ? null : canonicalHost(host);
      const rule = pickFromBucket(bucket, requestHost ?? null);
      if (rule) return rule;
    }
    if (end === 1) break;
    end = target.lastIndexOf('/', end - 2) + 1;
  }
  return null;
}

function pickFromBucket(bucket: Bucket, requestHost: string | null): AccessRule | null {
  if (requestHost === null || bucket.hosted.length === 0) return bucket.generic;
  const bareHost = stripPort(requestHost);
  for (const candidate of bucket.hosted) {
    if (candidate.host === (candidate.hasPort ? requestHost : bareHost)) return candidate.rule;
  }
  return bucket.generic;
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

/** `host:8080` → `host`, `[::1]:8080` → `[::1]`; a host without a port is returned as is. */
function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    return close < 0 ? host : host.slice(0, close + 1);
  }
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}
