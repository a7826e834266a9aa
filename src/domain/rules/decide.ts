import { hasPathParameter, normalizePath, stripPathParameters } from './normalize-path.ts';
import { findPrincipal, formatPrincipal } from './parse-principals.ts';
import type { RuleSet } from './rule-set.ts';
import type {
  AccessDecision,
  AccessRule,
  MethodCatalogue,
  MethodRequirement,
  ProvenIdentity,
} from './types.ts';

/** The request facts the rules look at. `rawPath` excludes the query string. */
export interface AccessRequest {
  readonly host: string | null;
  readonly rawPath: string;
}

/** The name of the password method in every catalogue. */
export const PASSWORD = 'password';

/**
 * What a recovery-code login proves. Never written in rules: with the password it stands in for
 * whatever methods a rule asks for (the user lost the phone those methods need).
 */
export const RECOVERY = 'RECOVERY';

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

// Rules are immutable and compiled once per change: their expansion is kept beside them.
const expanded = new WeakMap<AccessRule, { catalogue: MethodCatalogue; paths: string[][] }>();

function requiredPathsOf(rule: AccessRule, catalogue: MethodCatalogue): string[][] {
  const known = expanded.get(rule);
  if (known && known.catalogue === catalogue) return known.paths;
  const paths = requiredPaths(rule.methods, catalogue);
  expanded.set(rule, { catalogue, paths });
  return paths;
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
  const matched = matchRule(ruleSet, req.host, path);
  if (matched === 'ambiguous') return { kind: 'bad-path', reason: AMBIGUOUS_PARAMETER };
  if (matched === null) return { kind: 'no-rule', path };
  if (matched.methods.kind === 'bypass') return { kind: 'bypass', rule: matched, path };
  return { kind: 'located', rule: matched, path };
}

/** Decides for a located request with what the session has proven (null: no session). */
export function decideLocated(
  located: Extract<LocatedRequest, { kind: 'located' }>,
  identity: ProvenIdentity | null,
  catalogue: MethodCatalogue,
): AccessDecision {
  const { rule, path } = located;
  const paths = requiredPathsOf(rule, catalogue);
  // Only a hand-built rule with an empty step gets here; it can never be satisfied.
  if (paths.length === 0) return { kind: 'forbidden', rule, path };
  if (identity === null)
    return { kind: 'authenticate', rule, path, next: distinct(paths.map((p) => p[0] ?? PASSWORD)) };
  if (!isPermitted(rule, identity)) return { kind: 'forbidden', rule, path };
  const next = nextMethods(paths, identity.proven);
  return next.length === 0 ? { kind: 'allow', rule, path } : { kind: 'authenticate', rule, path, next };
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
): AccessDecision {
  const located = locateRule(ruleSet, req);
  return located.kind === 'located' ? decideLocated(located, identity, catalogue) : located;
}

const AMBIGUOUS_PARAMETER = 'path parameter (";") changes which rule applies';

/**
 * Matches the path as written and as a parameter-stripping backend (Tomcat) would read it;
 * `/secret;x/` must not escape the `/secret/` rule, so differing answers are refused.
 */
function matchRule(ruleSet: RuleSet, host: string | null, path: string): AccessRule | null | 'ambiguous' {
  const rule = ruleSet.match(host, path);
  if (!hasPathParameter(path)) return rule;
  return ruleSet.match(host, stripPathParameters(path)) === rule ? rule : 'ambiguous';
}

/** Deny beats allow; an identity matching no allow entry is not permitted. */
export function isPermitted(rule: AccessRule, identity: Pick<ProvenIdentity, 'userId' | 'groups'>): boolean {
  if (findPrincipal(rule.deny, identity)) return false;
  return rule.allow === 'all' || findPrincipal(rule.allow, identity) !== undefined;
}

/**
 * The first unproven method of each path, paths needing fewer extra methods first (ties
 * keep rule order); empty when some path is fully proven. A step-up therefore asks only
 * for what is missing.
 */
export function nextMethods(paths: readonly (readonly string[])[], proven: readonly string[]): string[] {
  if (proven.includes(RECOVERY) && proven.includes(PASSWORD)) return [];
  // The common case on every request, without allocating: some path is fully proven.
  if (paths.some((path) => path.every((method) => proven.includes(method)))) return [];
  const missing = paths.map((path) => path.filter((method) => !proven.includes(method)));
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

/** Decides like {@link decideAccess} and says why, one fact per line. */
export function explainAccess(
  ruleSet: RuleSet,
  req: AccessRequest,
  identity: ProvenIdentity | null,
  catalogue: MethodCatalogue,
): AccessExplanation {
  const decision = decideAccess(ruleSet, req, identity, catalogue);
  if (decision.kind === 'bad-path') return { decision, lines: [`path refused (400): ${decision.reason}`] };
  const lines = [
    decision.path === req.rawPath ? `path: ${decision.path}` : `path: ${decision.path} (from ${req.rawPath})`,
  ];
  if (decision.kind === 'no-rule')
    return { decision, lines: [...lines, 'no rule matches: default deny (403)'] };
  lines.push(`rule: ${decision.rule.line}`);
  if (decision.kind === 'bypass') {
    return { decision, lines: [...lines, 'public path (BYPASS): no authentication, no identity headers'] };
  }
  const paths = requiredPaths(decision.rule.methods, catalogue);
  lines.push(`requires: ${paths.map((p) => p.join(' -> ')).join('  or  ') || 'nothing that can be proven'}`);
  if (identity === null) lines.push('no session');
  else lines.push(...explainIdentity(decision.rule, identity));
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
