import { requiredPaths } from '../../domain/rules/decide.ts';
import type { AccessRule, MethodCatalogue, Principal } from '../../domain/rules/types.ts';
import { fill } from '../../web/i18n/catalogue.ts';
import { ownString, type AdminMessages } from './messages.ts';

/**
 * A rule in words, for the admin who does not read the grammar:
 * 「/bk01/ は @keiri グループのみ、パスワード＋SMS認証」 — who may pass, what they prove, and the
 * options (network, age of proof, new environment). The line itself stays beside it.
 */
export function summarizeRule(rule: AccessRule, catalogue: MethodCatalogue, a: AdminMessages): string {
  const s = a.rules.summary;
  const where = rule.host === null ? rule.prefix : `${rule.host}${rule.prefix}`;
  const parts = [fill(s.sentence, { where, who: whoMayPass(rule, a), how: howToProve(rule, catalogue, a) })];
  if (rule.from) parts.push(fill(rule.from.negated ? s.fromOut : s.fromIn, { network: rule.from.network }));
  if (rule.reauthSeconds !== null)
    parts.push(fill(s.reauth, { duration: durationWords(rule.reauthSeconds, a) }));
  if (rule.newDevice)
    parts.push(fill(s.newdevice, { methods: rule.newDevice.map((m) => methodWord(m, a)).join(s.or) }));
  return parts.join(s.separator);
}

function whoMayPass(rule: AccessRule, a: AdminMessages): string {
  const s = a.rules.summary;
  const allowed = rule.allow === 'all' ? s.everyone : fill(s.only, { who: principalWords(rule.allow, a) });
  return rule.deny.length === 0
    ? allowed
    : `${allowed}${fill(s.except, { who: principalWords(rule.deny, a) })}`;
}

function principalWords(list: readonly Principal[], a: AdminMessages): string {
  const s = a.rules.summary;
  return list
    .map((p) => (p.kind === 'group' ? fill(s.group, { name: p.name }) : fill(s.user, { id: p.id })))
    .join(s.listJoin);
}

/** The ways through, each as its methods in order: パスワード＋SMS認証 または パスワード＋認証アプリ. */
function howToProve(rule: AccessRule, catalogue: MethodCatalogue, a: AdminMessages): string {
  if (rule.methods.kind === 'bypass') return a.rules.summary.public;
  return requiredPaths(rule.methods, catalogue)
    .map((path) => path.map((method) => methodWord(method, a)).join(a.rules.summary.then))
    .join(a.rules.summary.or);
}

/** 900 → 「15分」, `15 min`: the largest whole unit, as `reauth=` is written. */
function durationWords(seconds: number, a: AdminMessages): string {
  const s = a.rules.summary;
  if (seconds % 3600 === 0) return fill(s.hours, { n: seconds / 3600 });
  if (seconds % 60 === 0) return fill(s.minutes, { n: seconds / 60 });
  return fill(s.seconds, { n: seconds });
}

/** A method's short name in the page's language; a method the console has no word for, as named. */
export function methodWord(method: string, a: AdminMessages): string {
  return ownString(a.rules.methodWords, method) ?? method;
}
