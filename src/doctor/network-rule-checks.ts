/**
 * Checks of rules' options (`from=`, `reauth=`): the outside of a network treated more kindly than
 * its inside, and a `reauth=` the session's own timers make pointless.
 */
import { findWeakerOutside } from '../domain/rules/network-warnings.ts';
import { formatDuration } from '../domain/rules/parse-options.ts';
import type { AccessRule, MethodCatalogue } from '../domain/rules/types.ts';
import type { Finding } from './types.ts';

const ASPECTS = { allow: 'allows more users', deny: 'denies fewer', methods: 'asks for fewer methods' };

export interface NetworkRuleFacts {
  readonly rules: readonly AccessRule[];
  readonly catalogue: MethodCatalogue;
  /** The session's timers (seconds); omitted: `reauth=` is not compared with them. */
  readonly session?: { readonly idleTimeoutSeconds: number; readonly absoluteTimeoutSeconds: number };
}

export function checkNetworkRules(facts: NetworkRuleFacts): Finding[] {
  return [...checkWeakerOutside(facts), ...facts.rules.flatMap((rule) => checkReauth(rule, facts))];
}

/** Outside a network asking less than inside it: the reverse of what network rules are for. */
function checkWeakerOutside(facts: NetworkRuleFacts): Finding[] {
  return findWeakerOutside(facts.rules, facts.catalogue).map(({ outside, inside, aspects }) => ({
    id: 'rule-weaker-outside',
    severity: 'high' as const,
    subject: outside.line,
    message: `clients outside the network get this rule, which ${aspects.map((a) => ASPECTS[a]).join(' and ')} than ${inside.line} asks inside it`,
    fix: 'ask at least as much outside as inside (e.g. the inside rule password only, the outside one password and a second factor)',
  }));
}

/**
 * `reauth=` at or beyond the absolute timeout never asks again (the session ends first); one at
 * or beyond the idle timeout only asks sessions in constant use, which is seldom what was meant.
 */
function checkReauth(rule: AccessRule, facts: NetworkRuleFacts): Finding[] {
  const { session } = facts;
  if (rule.reauthSeconds === null || !session) return [];
  const reauth = formatDuration(rule.reauthSeconds);
  if (rule.reauthSeconds >= session.absoluteTimeoutSeconds)
    return [
      {
        id: 'reauth-no-effect',
        severity: 'medium',
        subject: rule.line,
        message: `reauth=${reauth} is not shorter than session.absoluteTimeoutSeconds (${formatDuration(session.absoluteTimeoutSeconds)}): the session ends before a proof is ever asked again`,
        fix: 'shorten reauth= (e.g. reauth=15m) or remove it',
      },
    ];
  if (rule.reauthSeconds >= session.idleTimeoutSeconds)
    return [
      {
        id: 'reauth-beyond-idle',
        severity: 'low',
        subject: rule.line,
        message: `reauth=${reauth} is not shorter than session.idleTimeoutSeconds (${formatDuration(session.idleTimeoutSeconds)}): a user away that long logs in afresh anyway, so only a session in constant use is ever asked again`,
        fix: 'if fresh proofs are meant for returning users, make reauth= shorter than the idle timeout',
      },
    ];
  return [];
}
