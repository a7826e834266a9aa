/**
 * Pure checks of the rules in force (the stored rules plus the built-in admin rule) against the
 * security baseline.
 */
import { PASSWORD, requiredPaths } from '../domain/rules/decide.ts';
import type { RuleSet } from '../domain/rules/rule-set.ts';
import { findUnknownPrincipals, type KnownPrincipals } from '../domain/rules/principal-check.ts';
import { avoidableHostRule } from '../domain/rules/rule-warnings.ts';
import type { AccessRule, MethodCatalogue } from '../domain/rules/types.ts';
import { checkNetworkRules, type NetworkRuleFacts } from './network-rule-checks.ts';
import type { Finding } from './types.ts';

const SMS = 'SMSOTP';

export interface RuleFacts {
  readonly ruleSet: RuleSet;
  readonly catalogue: MethodCatalogue;
  /** Where the admin console lives. */
  readonly adminPrefix: string;
  /** True when no stored rule names the admin prefix, so the built-in fallback guards it. */
  readonly adminIsBuiltin: boolean;
  /** The session's timers, which `reauth=` is compared with. */
  readonly session?: NetworkRuleFacts['session'];
  /** The users and groups in the auth DB; omitted, principals are not checked. */
  readonly principals?: KnownPrincipals;
}

export function checkRules(facts: RuleFacts): Finding[] {
  return [
    ...checkBypassRoot(facts.ruleSet),
    ...checkAdminPath(facts),
    ...facts.ruleSet.rules.flatMap((rule) => checkSmsAlone(rule, facts.catalogue)),
    ...facts.ruleSet.rules.flatMap((rule) => checkHostRule(rule, facts)),
    ...checkNetworkRules({ rules: facts.ruleSet.rules, catalogue: facts.catalogue, session: facts.session }),
    ...facts.ruleSet.rules.flatMap((rule) => checkPrincipals(rule, facts.principals)),
  ];
}

/**
 * A stored rule naming a user or group the auth DB does not know: saved with the override, or the
 * user or group was removed since. `@admin` for `@admins` lets nobody in; `keiri` for `@keiri` would
 * admit a user created later under that name.
 */
export function checkPrincipals(rule: AccessRule, known: KnownPrincipals | undefined): Finding[] {
  if (!known) return [];
  return findUnknownPrincipals(rule, known).map((unknown) => ({
    id: 'rule-unknown-principal',
    severity: 'medium' as const,
    subject: rule.line,
    message: `${unknown.field} names ${unknown.written}, which is no user or group in the auth DB${
      unknown.suggestion ? ` (did you mean ${unknown.suggestion}?)` : ''
    }`,
    fix: 'correct the rule (`sekisho rule set`), or create the user or group it means',
  }));
}

const ASPECTS = { allow: 'allows more users', deny: 'denies fewer', methods: 'asks for fewer methods' };

/**
 * The Host header is the client's to choose. A host rule that asks more than other Hosts get
 * for the same path is passed by sending another name of the gateway; a BYPASS host rule opens
 * its path to anyone who sends that name, wherever they are.
 */
export function checkHostRule(rule: AccessRule, facts: Pick<RuleFacts, 'ruleSet' | 'catalogue'>): Finding[] {
  if (rule.host === null) return [];
  if (rule.methods.kind === 'bypass') {
    return [
      {
        id: 'host-bypass',
        severity: 'medium',
        subject: rule.line,
        message: `anyone who sends "Host: ${rule.host}" reaches this path without authentication; a Host header is not a network boundary`,
        fix: 'make it a rule for every host if the path is meant to be public, or remove the BYPASS',
      },
    ];
  }
  const avoidable = avoidableHostRule(rule, facts.ruleSet, facts.catalogue);
  if (!avoidable) return [];
  return [
    {
      id: 'host-rule-avoidable',
      severity: 'high',
      subject: rule.line,
      message: `under any other Host this path is decided by ${avoidable.related.line}, which ${avoidable.aspects.map((a) => ASPECTS[a]).join(' and ')}; the client chooses its Host`,
      fix: `put the same demands on the rule for every host (e.g. \`sekisho rule set '${rule.prefix}=…'\`)`,
    },
  ];
}

/** `/=…;BYPASS` makes everything without a longer rule public: default deny is gone. */
export function checkBypassRoot(ruleSet: RuleSet): Finding[] {
  return ruleSet.rules
    .filter((rule) => rule.prefix === '/' && rule.methods.kind === 'bypass')
    .map((rule) => ({
      id: 'bypass-root',
      severity: 'high' as const,
      subject: rule.line,
      message: 'BYPASS on / makes every path without a longer rule public, with no authentication at all',
      fix: 'delete it (`sekisho rule del /`) and add BYPASS rules only for the public prefixes, e.g. /public/=ALL;;BYPASS',
    }));
}

/** Every way through the rule proves something besides the password. */
export function needsSecondFactor(rule: AccessRule, catalogue: MethodCatalogue): boolean {
  if (rule.methods.kind === 'bypass') return false;
  const paths = requiredPaths(rule.methods, catalogue);
  return paths.length > 0 && paths.every((path) => path.some((method) => method !== PASSWORD));
}

/** The admin console, and every rule under it, must ask for a second factor of everyone. */
export function checkAdminPath(facts: RuleFacts): Finding[] {
  const { ruleSet, catalogue, adminPrefix } = facts;
  const guarding = ruleSet.rules.filter((rule) => rule.prefix.startsWith(adminPrefix));
  return guarding.flatMap((rule): Finding[] => {
    const findings: Finding[] = [];
    const builtin = facts.adminIsBuiltin && rule.prefix === adminPrefix && rule.host === null;
    if (!needsSecondFactor(rule, catalogue)) {
      findings.push({
        id: 'admin-single-factor',
        severity: 'high',
        subject: builtin ? `${rule.line} (built-in: SMS is not configured)` : rule.line,
        message: 'the admin console can be reached with a password alone',
        fix: `guard it with a second factor, e.g. \`sekisho rule set '${adminPrefix}=@admins;;SMSOTP|MAMORU'\``,
      });
    }
    if (rule.allow === 'all') {
      findings.push({
        id: 'admin-open-to-all',
        severity: 'medium',
        subject: rule.line,
        message: 'every user may reach the admin console',
        fix: `allow only the admins: ${adminPrefix}=@admins;;SMSOTP|MAMORU`,
      });
    }
    return findings;
  });
}

/**
 * SMS is a restricted authenticator (NIST SP 800-63B §5.1.3.3): it may be offered, but not as
 * the only second factor. `SMSOTP` alone is a finding; `SMSOTP|MAMORU` offers an alternative.
 */
export function checkSmsAlone(rule: AccessRule, catalogue: MethodCatalogue): Finding[] {
  if (rule.methods.kind === 'bypass') return [];
  const paths = requiredPaths(rule.methods, catalogue);
  const factors = (path: readonly string[]) => path.filter((m) => m !== PASSWORD);
  const smsOnly = paths.some((path) => factors(path).length === 1 && factors(path)[0] === SMS);
  const alternative = paths.some((path) => !path.includes(SMS) && factors(path).length > 0);
  if (!smsOnly || alternative) return [];
  return [
    {
      id: 'sms-only-factor',
      severity: 'medium',
      subject: rule.line,
      message:
        'SMS is the only second factor offered here; SMS is a restricted authenticator (NIST SP 800-63B)',
      fix: 'offer a stronger alternative for the same paths, e.g. methods SMSOTP|MAMORU',
    },
  ];
}
