import { requiredPaths } from './decide.ts';
import { findNetworkOnlyPrefixes, findWeakerOutside } from './network-warnings.ts';
import { includes, weakerAspects, type WeakerAspect } from './rule-compare.ts';
import { compileRuleSet, type RuleSet } from './rule-set.ts';
import type { AccessRule, MethodCatalogue } from './types.ts';

export { weakerAspects, type WeakerAspect } from './rule-compare.ts';

/** What is wrong with a rule, or worth a second look. */
export type RuleWarningCode =
  /** Under the gateway's own pages (not the console): rules never decide those paths. */
  | 'unreachable'
  /** Every allow entry is also denied: nobody can pass. */
  | 'nobody-allowed'
  /** BYPASS on `/`: every path without a more specific rule is public; default deny is gone. */
  | 'bypass-root'
  /** The console is public (and therefore unusable: it needs a session). */
  | 'console-public'
  /** The console can be reached with a single factor. */
  | 'console-single-factor'
  /** Any user may open the console. */
  | 'console-allow-all'
  /** A longer prefix replaces its enclosing rule on its subtree and asks less (rules do not inherit). */
  | 'weaker-than-parent'
  /** A host-specific rule replaces the rule for every host at the same prefix and asks less. */
  | 'host-weaker'
  /** A BYPASS area inside a protected one. */
  | 'public-hole'
  /** A host-specific rule replaces the generic one at the same prefix (not weaker). */
  | 'host-override'
  /**
   * A host rule asks more than the rule every other Host gets for its path: the client chooses
   * its Host header, so it can pass with any other name for the same server.
   */
  | 'host-avoidable'
  /** Demands exactly what the rule it replaces demands: removing it changes nothing. */
  | 'redundant'
  /** No configured backend serves the prefix: the rule only guards 404s. */
  | 'no-backend'
  /** Applies outside a network and asks less than the `from=` rule for inside it. */
  | 'weaker-outside'
  /** Every rule of this prefix carries `from=`: other clients are refused here (403). */
  | 'network-only';

export interface RuleWarning {
  readonly code: RuleWarningCode;
  readonly severity: 'warning' | 'info';
  /** The line of the rule the warning is about. */
  readonly rule: string;
  /** The line of the other rule involved (the one replaced), if any. */
  readonly related: string | null;
  /** For `weaker-than-parent`, `host-weaker` and `weaker-outside`: what the rule relaxes. */
  readonly aspects: readonly WeakerAspect[];
}

export interface WarningOptions {
  readonly catalogue: MethodCatalogue;
  /** The gateway's own path prefix (`/_sekisho/`) and the console's (`/_sekisho/admin/`). */
  readonly paths: { readonly own: string; readonly console: string };
  /** Configured backend names; omit to skip the `no-backend` check. */
  readonly backends?: readonly string[];
}

/**
 * Finds rules that can never decide a request, let nobody in, or quietly relax a stricter
 * rule. Rules do not inherit: the longest prefix replaces its parent on its subtree, and a
 * host-specific rule replaces the generic one for its host. So each rule is compared with
 * the rule that would decide its prefix if it were absent, for every host the rules name.
 */
export function findRuleWarnings(rules: readonly AccessRule[], options: WarningOptions): RuleWarning[] {
  const compiled = compileRuleSet(rules);
  const ordered = compiled.rules;
  const warnings: RuleWarning[] = [];
  for (const rule of ordered) {
    const own = ownPathWarnings(rule, options);
    warnings.push(...own);
    if (own.some((w) => w.code === 'unreachable')) continue;
    warnings.push(...standaloneWarnings(rule, options));
    const avoidable = avoidableHostRule(rule, compiled, options.catalogue);
    if (avoidable) warnings.push(warning('host-avoidable', rule, avoidable));
    if (!rule.prefix.startsWith(options.paths.own))
      warnings.push(...replacementWarnings(rule, rules, compiled, options));
  }
  for (const { outside, inside, aspects } of findWeakerOutside(rules, options.catalogue))
    warnings.push(warning('weaker-outside', outside, { related: inside, aspects: [...aspects] }));
  for (const rule of findNetworkOnlyPrefixes(rules))
    warnings.push(warning('network-only', rule, { severity: 'info' }));
  return warnings;
}

/**
 * For a host rule: the rule a request for the same path gets under any other Host, when that
 * rule lets through what the host rule would not (and in which respects); null otherwise.
 */
export function avoidableHostRule(
  rule: AccessRule,
  ruleSet: RuleSet,
  catalogue: MethodCatalogue,
): { related: AccessRule; aspects: WeakerAspect[] } | null {
  if (rule.host === null || rule.methods.kind === 'bypass') return null;
  const other = ruleSet.match(null, rule.prefix);
  if (other === null) return null;
  if (other.methods.kind === 'bypass') return { related: other, aspects: ['methods'] };
  const aspects = weakerAspects(other, rule, catalogue);
  return aspects.length > 0 ? { related: other, aspects } : null;
}

function warning(
  code: RuleWarningCode,
  rule: AccessRule,
  extra: { related?: AccessRule; aspects?: WeakerAspect[]; severity?: 'warning' | 'info' } = {},
): RuleWarning {
  return {
    code,
    severity: extra.severity ?? 'warning',
    rule: rule.line,
    related: extra.related?.line ?? null,
    aspects: extra.aspects ?? [],
  };
}

/** The console is checked like a backend; the other own pages are never decided by rules. */
function ownPathWarnings(rule: AccessRule, { paths, catalogue }: WarningOptions): RuleWarning[] {
  if (!rule.prefix.startsWith(paths.own)) return [];
  if (!rule.prefix.startsWith(paths.console)) return [warning('unreachable', rule)];
  if (rule.methods.kind === 'bypass') return [warning('console-public', rule)];
  const found: RuleWarning[] = [];
  if (requiredPaths(rule.methods, catalogue).some((path) => path.length < 2))
    found.push(warning('console-single-factor', rule));
  if (rule.allow === 'all') found.push(warning('console-allow-all', rule));
  return found;
}

function standaloneWarnings(rule: AccessRule, { backends, paths }: WarningOptions): RuleWarning[] {
  const found: RuleWarning[] = [];
  if (rule.allow !== 'all' && rule.allow.every((p) => includes(rule.deny, p)))
    found.push(warning('nobody-allowed', rule));
  if (rule.prefix === '/' && rule.methods.kind === 'bypass') found.push(warning('bypass-root', rule));
  const first = rule.prefix.split('/')[1] ?? '';
  const served = first === '' || rule.prefix.startsWith(paths.own) || backends?.includes(first) !== false;
  if (!served) found.push(warning('no-backend', rule, { severity: 'info' }));
  return found;
}

/** Compares the rule with each rule it replaces, for every host the rule set names. */
function replacementWarnings(
  rule: AccessRule,
  all: readonly AccessRule[],
  withRule: RuleSet,
  options: WarningOptions,
): RuleWarning[] {
  const others = all.filter((r) => r !== rule);
  const without = compileRuleSet(others);
  const scopes = rule.host === null ? [null, ...new Set(others.flatMap((r) => r.host ?? []))] : [rule.host];
  const replaced = new Set<AccessRule>();
  for (const host of scopes) {
    if (withRule.match(host, rule.prefix) !== rule) continue;
    const parent = without.match(host, rule.prefix);
    if (parent) replaced.add(parent);
  }
  return [...replaced].flatMap((parent) => compareWithReplaced(rule, parent, options.catalogue));
}

function compareWithReplaced(
  rule: AccessRule,
  parent: AccessRule,
  catalogue: MethodCatalogue,
): RuleWarning[] {
  const samePrefix = rule.prefix === parent.prefix;
  const isPublic = rule.methods.kind === 'bypass';
  const parentPublic = parent.methods.kind === 'bypass';
  if (isPublic && parentPublic) return [warning('redundant', rule, { related: parent, severity: 'info' })];
  if (parentPublic) return [];
  if (isPublic) {
    return samePrefix
      ? [warning('host-weaker', rule, { related: parent, aspects: ['methods'] })]
      : [warning('public-hole', rule, { related: parent, severity: 'info' })];
  }
  const aspects = weakerAspects(rule, parent, catalogue);
  if (aspects.length > 0)
    return [warning(samePrefix ? 'host-weaker' : 'weaker-than-parent', rule, { related: parent, aspects })];
  if (sameDemands(rule, parent)) return [warning('redundant', rule, { related: parent, severity: 'info' })];
  return samePrefix ? [warning('host-override', rule, { related: parent, severity: 'info' })] : [];
}

function sameDemands(a: AccessRule, b: AccessRule): boolean {
  return a.line.slice(a.line.indexOf('=')) === b.line.slice(b.line.indexOf('='));
}
