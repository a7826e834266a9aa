import { hasPathParameter, normalizePath, stripPathParameters } from './normalize-path.ts';
import { findPrincipal, formatPrincipal } from './parse-principals.ts';
import { NO_NETWORKS, type Networks } from '../networks.ts';
import { formatDuration, formatFrom } from './parse-options.ts';
import { clientAddressOf, isInNetwork, type ClientAddressSource, type RuleSet } from './rule-set.ts';
import type {
  AccessDecision,
  AccessRule,
  MethodCatalogue,
  MethodRequirement,
  NetworkCondition,
  ProvenIdentity,
} from './types.ts';

/** The request facts the rules look at. `rawPath` excludes the query string. */
export interface AccessRequest {
  readonly host: string | null;
  readonly rawPath: string;
  /**
   * The client's address, `trustProxy` applied (or a function reading it, called only when a
   * `from=` rule is on the way); null or absent: unknown (no `from=` rule applies).
   */
  readonly client?: ClientAddressSource;
}

/** The name of the password method in every catalogue. */
export const PASSWORD = 'password';

/**
 * What a recovery-code login proves. Never written in rules: with the password it stands in for
 * whatever methods a rule asks for (the user lost the phone those methods need).
 */
export const RECOVERY = 'RECOVERY';

/** The recovery-code way of passing: the password and an unused code (docs/recovery.md). */
export const RECOVERY_WAY: readonly string[] = [PASSWORD, RECOVERY];

/**
 * The ways of passing a rule: one source for the decision and for its explanations.
 */
export interface WaysToPass {
  /**
   * The rule's own alternatives ({@link requiredPaths}; with a `newdevice=` method added on a
   * session from a new environment): what a step-up offers next.
   */
  readonly paths: readonly (readonly string[])[];
  /**
   * Ways that stand in for the rule without being offered as a next step: the recovery code
   * (password, RECOVERY), for every rule that asks for methods; every factor page links to it.
   * None for BYPASS, nor for a rule no way passes.
   */
  readonly standIns: readonly (readonly string[])[];
}

/**
 * Expands a requirement into the alternative sequences of methods that satisfy it,
 * `password` included: one alternative per step (cartesian product, in order), with
 * `password` first unless the sequence starts with a passwordless method.
 * `SMSOTP|MAMORU` → [['password','SMSOTP'], ['MAMORU']]. BYPASS → [] (nothing to prove).
 */
export function requiredPaths(methods: MethodRequirement, catalogue: MethodCatalogue): string[][] {
  if (methods.kind === 'bypass') return [];
  let paths: string[][] = [[]];
  for (const step of methods.steps) {
    paths = paths.flatMap((path) => step.map((method) => [...path, method]));
  }
  return paths.map((path) => {
    const first = path[0];
    return first !== undefined && catalogue.isPasswordless(first) ? path : [PASSWORD, ...path];
  });
}

/** A rule's ways of passing: its own alternatives, and the recovery code wherever there is one. */
export function waysToPass(methods: MethodRequirement, catalogue: MethodCatalogue): WaysToPass {
  const paths = requiredPaths(methods, catalogue);
  return { paths, standIns: paths.length > 0 ? [RECOVERY_WAY] : [] };
}

// Rules are immutable and compiled once per change: their expansion is kept beside them.
const expanded = new WeakMap<AccessRule, { catalogue: MethodCatalogue; ways: WaysToPass }>();

function waysOf(rule: AccessRule, catalogue: MethodCatalogue): WaysToPass {
  const known = expanded.get(rule);
  if (known && known.catalogue === catalogue) return known.ways;
  const ways = waysToPass(rule.methods, catalogue);
  expanded.set(rule, { catalogue, ways });
  return ways;
}

/** The rule a request falls under, or why none applies; found once per request. */
export type LocatedRequest =
  | Extract<AccessDecision, { kind: 'bad-path' | 'no-rule' | 'bypass' }>
  | { readonly kind: 'located'; readonly rule: AccessRule; readonly path: string };

/** Normalises the path and finds its rule: everything a decision needs that does not depend on the session. */
export function locateRule(ruleSet: RuleSet, req: AccessRequest): LocatedRequest {
  const normalized = normalizePath(req.rawPath);
  if (!normalized.ok) return { kind: 'bad-path', reason: normalized.reason };
  const path = normalized.path;
  const matched = matchRule(ruleSet, req.host, path, once(req.client ?? null));
  if (matched === 'ambiguous') return { kind: 'bad-path', reason: AMBIGUOUS_PARAMETER };
  if (matched === null) return { kind: 'no-rule', path };
  if (matched.methods.kind === 'bypass') return { kind: 'bypass', rule: matched, path };
  return { kind: 'located', rule: matched, path };
}

/**
 * Decides for a located request with what the session has proven (null: no session). `now`
 * (ms) judges `reauth=`: a proof older than the rule allows counts as not proven.
 */
export function decideLocated(
  located: Extract<LocatedRequest, { kind: 'located' }>,
  identity: ProvenIdentity | null,
  catalogue: MethodCatalogue,
  now: number,
): AccessDecision {
  const { rule, path } = located;
  const ways = waysFor(rule, identity, catalogue);
  // Only a hand-built rule with an empty step gets here; it can never be satisfied.
  if (ways.paths.length === 0) return { kind: 'forbidden', rule, path };
  if (identity === null)
    return { kind: 'authenticate', rule, path, next: distinct(ways.paths.map((p) => p[0] ?? PASSWORD)) };
  if (!isPermitted(rule, identity)) return { kind: 'forbidden', rule, path };
  const next = nextMethods(ways, freshProven(rule, identity, now));
  return next.length === 0 ? { kind: 'allow', rule, path } : { kind: 'authenticate', rule, path, next };
}

/**
 * The rule's ways of passing; on a session from a new environment, each of its own with a
 * `newdevice=` method added (a recovery code stands in for those too).
 */
function waysFor(rule: AccessRule, identity: ProvenIdentity | null, catalogue: MethodCatalogue): WaysToPass {
  const ways = waysOf(rule, catalogue);
  const extra = rule.newDevice;
  if (!extra || identity?.newEnvironment !== true) return ways;
  const paths = ways.paths.flatMap((path) =>
    extra.some((method) => path.includes(method)) ? [path] : extra.map((method) => [...path, method]),
  );
  return { paths, standIns: ways.standIns };
}

/**
 * The methods whose proof `reauth=` must be recent: the rule's own methods, or the password
 * when the rule asks for nothing else (and a recovery code, which stands in for them).
 */
export function freshnessMethods(rule: AccessRule): string[] {
  if (rule.methods.kind === 'bypass') return [];
  const listed = rule.methods.steps.flat();
  const standIn = RECOVERY_WAY.filter((method) => method !== PASSWORD);
  return [...(listed.length > 0 ? listed : [PASSWORD]), ...standIn];
}

/** Whether a method was proven within the rule's `reauth=` window (always, without one). */
export function isFresh(rule: AccessRule, identity: ProvenIdentity, method: string, now: number): boolean {
  if (rule.reauthSeconds === null) return true;
  const at = identity.provenAt?.[method];
  return at !== undefined && now - at <= rule.reauthSeconds * 1000;
}

/** What the session has proven that still counts for this rule: stale proofs of `reauth=` methods dropped. */
function freshProven(rule: AccessRule, identity: ProvenIdentity, now: number): readonly string[] {
  if (rule.reauthSeconds === null) return identity.proven;
  const watched = freshnessMethods(rule);
  return identity.proven.filter(
    (method) => !watched.includes(method) || isFresh(rule, identity, method, now),
  );
}

/**
 * Decides what to do with a request: refuse its path, deny it by default, let it through
 * (publicly or with identity), forbid it, or ask for the methods still missing.
 */
export function decideAccess(
  ruleSet: RuleSet,
  req: AccessRequest,
  identity: ProvenIdentity | null,
  catalogue: MethodCatalogue,
  now: number,
): AccessDecision {
  const located = locateRule(ruleSet, req);
  return located.kind === 'located' ? decideLocated(located, identity, catalogue, now) : located;
}

/** A source read at most once however many matches ask (a path with parameters is matched twice). */
function once(source: ClientAddressSource): ClientAddressSource {
  if (typeof source !== 'function') return source;
  let read: string | null | undefined;
  return () => (read === undefined ? (read = source()) : read);
}

const AMBIGUOUS_PARAMETER = 'path parameter (";") changes which rule applies';

/**
 * Matches the path as written and as a parameter-stripping backend (Tomcat) would read it;
 * `/secret;x/` must not escape the `/secret/` rule, so differing answers are refused.
 */
function matchRule(
  ruleSet: RuleSet,
  host: string | null,
  path: string,
  client: ClientAddressSource,
): AccessRule | null | 'ambiguous' {
  const rule = ruleSet.match(host, path, client);
  if (!hasPathParameter(path)) return rule;
  return ruleSet.match(host, stripPathParameters(path), client) === rule ? rule : 'ambiguous';
}

/** Deny beats allow; an identity matching no allow entry is not permitted. */
export function isPermitted(rule: AccessRule, identity: Pick<ProvenIdentity, 'userId' | 'groups'>): boolean {
  if (findPrincipal(rule.deny, identity)) return false;
  return rule.allow === 'all' || findPrincipal(rule.allow, identity) !== undefined;
}

/**
 * The first unproven method of each of the rule's own paths, paths needing fewer extra methods
 * first (ties keep rule order); empty when some way, a stand-in included, is fully proven. A
 * step-up therefore asks only for what is missing, and never offers a stand-in.
 */
export function nextMethods(ways: WaysToPass, proven: readonly string[]): string[] {
  // The common case on every request, answered before anything is built: some way is fully proven.
  const passes = (path: readonly string[]) => path.every((method) => proven.includes(method));
  if (ways.paths.some(passes) || ways.standIns.some(passes)) return [];
  const missing = ways.paths.map((path) => path.filter((method) => !proven.includes(method)));
  const ordered = [...missing].sort((a, b) => a.length - b.length);
  return distinct(ordered.map((m) => m[0] ?? PASSWORD));
}

function distinct(names: readonly string[]): string[] {
  return [...new Set(names)];
}

/** A decision with the reasons behind it, for `sekisho rule explain`. */
export interface AccessExplanation {
  readonly decision: AccessDecision;
  readonly lines: readonly string[];
}

/** When an explanation is judged (ms), and the networks `from=` names, to say what they hold. */
export interface ExplainContext {
  readonly now: number;
  readonly networks?: Networks;
}

/** Decides like {@link decideAccess} and says why, one fact per line. */
export function explainAccess(
  ruleSet: RuleSet,
  req: AccessRequest,
  identity: ProvenIdentity | null,
  catalogue: MethodCatalogue,
  context: ExplainContext,
): AccessExplanation {
  const decision = decideAccess(ruleSet, req, identity, catalogue, context.now);
  if (decision.kind === 'bad-path') return { decision, lines: [`path refused (400): ${decision.reason}`] };
  const lines = [
    decision.path === req.rawPath ? `path: ${decision.path}` : `path: ${decision.path} (from ${req.rawPath})`,
  ];
  const client = clientAddressOf(req.client);
  if (req.client !== undefined) lines.push(`client: ${client ?? 'unknown address'}`);
  if (decision.kind === 'no-rule')
    return { decision, lines: [...lines, 'no rule matches: default deny (403)'] };
  lines.push(`rule: ${decision.rule.line}`);
  if (decision.rule.from) lines.push(explainFrom(decision.rule.from, client, context.networks));
  if (decision.kind === 'bypass') {
    return { decision, lines: [...lines, 'public path (BYPASS): no authentication, no identity headers'] };
  }
  const ways = waysToPass(decision.rule.methods, catalogue);
  const written = (paths: WaysToPass['paths']) => paths.map((p) => p.join(' -> ')).join('  or  ');
  lines.push(`requires: ${written(ways.paths) || 'nothing that can be proven'}`);
  if (ways.standIns.length > 0)
    lines.push(
      `or a recovery code: ${written(ways.standIns)} (stands in for the methods; offered by a link on every factor page, not as a next step)`,
    );
  if (identity === null) lines.push('no session');
  else lines.push(...explainIdentity(decision.rule, identity));
  lines.push(...explainFreshness(decision.rule, identity, context.now));
  if (decision.rule.newDevice)
    lines.push(
      `newdevice=${decision.rule.newDevice.join('|')}: a login from a browser and address new for the user also proves ${decision.rule.newDevice.join(' or ')}${identity?.newEnvironment ? ' (this session is one)' : ''}`,
    );
  lines.push(conclusion(decision));
  return { decision, lines };
}

function explainIdentity(rule: AccessRule, identity: ProvenIdentity): string[] {
  const who = `user ${identity.userId}${identity.groups.length > 0 ? ` (groups ${identity.groups.join(', ')})` : ''}`;
  const denied = findPrincipal(rule.deny, identity);
  if (denied) return [`${who} is denied by ${formatPrincipal(denied)}; deny beats allow`];
  if (rule.allow === 'all') return [`${who} is allowed: allow is ALL`, proven(identity)];
  const allowed = findPrincipal(rule.allow, identity);
  if (!allowed) return [`${who} matches no allow entry`];
  return [`${who} is allowed by ${formatPrincipal(allowed)}`, proven(identity)];
}

function explainFrom(
  from: NetworkCondition,
  client: string | null,
  networks: Networks = NO_NETWORKS,
): string {
  const network = networks.get(from.network);
  const cidrs = network ? ` (${network.cidrs.join(', ')})` : ' (not configured)';
  const where = client === null ? 'the client' : `client ${client}`;
  const inside = isInNetwork(networks, from.network, client);
  return `from=${formatFrom(from)}: ${where} is ${inside ? 'in' : 'not in'} network ${from.network}${cidrs}`;
}

function explainFreshness(rule: AccessRule, identity: ProvenIdentity | null, now: number): string[] {
  if (rule.reauthSeconds === null) return [];
  const window = formatDuration(rule.reauthSeconds);
  const watched = freshnessMethods(rule).filter((method) => method !== RECOVERY);
  const lines = [`reauth=${window}: ${watched.join(', ')} must have been proven within the last ${window}`];
  if (identity === null) return lines;
  for (const method of watched) {
    if (!identity.proven.includes(method)) continue;
    const at = identity.provenAt?.[method];
    const age =
      at === undefined
        ? 'at an unknown time'
        : `${formatDuration(Math.max(0, Math.floor((now - at) / 1000)))} ago`;
    const fresh = isFresh(rule, identity, method, now);
    lines.push(`  ${method} proven ${age}: ${fresh ? 'fresh' : 'stale, asked again (the session is kept)'}`);
  }
  return lines;
}

function proven(identity: ProvenIdentity): string {
  return `proven: ${identity.proven.length > 0 ? identity.proven.join(', ') : 'nothing yet'}`;
}

function conclusion(decision: AccessDecision): string {
  switch (decision.kind) {
    case 'allow':
      return 'decision: allow (proxied with identity headers)';
    case 'forbidden':
      return 'decision: forbidden (403)';
    case 'authenticate':
      return `decision: authenticate; next: ${decision.next.join(' or ')}`;
    default:
      return `decision: ${decision.kind}`;
  }
}
