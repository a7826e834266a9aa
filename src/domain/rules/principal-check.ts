import { formatPrincipal } from './parse-principals.ts';
import type { AccessRule, Principal } from './types.ts';

/** The users and groups the auth DB knows, as far as a check needs them. */
export interface KnownPrincipals {
  readonly users: readonly string[];
  readonly groups: readonly string[];
}

/** A principal a rule names that the auth DB does not know, with the closest known name. */
export interface UnknownPrincipal {
  readonly field: 'allow' | 'deny';
  /** As written in the rule: `@admin`, `keiri`. */
  readonly written: string;
  /** The known principal it most likely meant (`@admins`, `@keiri`), or null. */
  readonly suggestion: string | null;
}

/**
 * The allow and deny entries of a rule that name no known user or group. A typo here is silent
 * otherwise: `@admin` for `@admins` lets nobody in, and a `keiri` meant as a group would admit
 * only a user of that name, were one ever created.
 */
export function findUnknownPrincipals(rule: AccessRule, known: KnownPrincipals): UnknownPrincipal[] {
  const users = new Set(known.users);
  const groups = new Set(known.groups);
  const isKnown = (p: Principal) => (p.kind === 'user' ? users.has(p.id) : groups.has(p.name));
  const fields = [
    ['allow', rule.allow === 'all' ? [] : rule.allow],
    ['deny', rule.deny],
  ] as const;
  return fields.flatMap(([field, principals]) =>
    principals
      .filter((p) => !isKnown(p))
      .map((p) => ({ field, written: formatPrincipal(p), suggestion: suggestPrincipal(p, known) })),
  );
}

/** Every user and group entry a rule names (the service looks the users up one by one). */
export function namedPrincipals(rule: AccessRule): readonly Principal[] {
  return [...(rule.allow === 'all' ? [] : rule.allow), ...rule.deny];
}

/**
 * The known principal an unknown one most likely meant: the other kind with the same name (the
 * `@` forgotten or added), then the same name in another letter case, then the nearest name of
 * the same kind within a small edit distance (one edit for short names, two from six letters).
 */
export function suggestPrincipal(principal: Principal, known: KnownPrincipals): string | null {
  const name = principal.kind === 'user' ? principal.id : principal.name;
  const [same, other] = principal.kind === 'user' ? [known.users, known.groups] : [known.groups, known.users];
  const asOther = (n: string) => (principal.kind === 'user' ? `@${n}` : n);
  const asSame = (n: string) => (principal.kind === 'user' ? n : `@${n}`);
  if (other.includes(name)) return asOther(name);
  const folded = name.toLowerCase();
  const caseOnly = same.find((n) => n.toLowerCase() === folded);
  if (caseOnly) return asSame(caseOnly);
  const otherCase = other.find((n) => n.toLowerCase() === folded);
  if (otherCase) return asOther(otherCase);
  const nearest = nearestName(folded, same);
  return nearest === null ? null : asSame(nearest);
}

function nearestName(folded: string, names: readonly string[]): string | null {
  const limit = folded.length >= 6 ? 2 : 1;
  let best: { name: string; distance: number } | null = null;
  for (const name of names) {
    const distance = editDistance(folded, name.toLowerCase(), limit);
    if (distance <= limit && (best === null || distance < best.distance)) best = { name, distance };
  }
  return best?.name ?? null;
}

/** Levenshtein distance, giving up (limit + 1) as soon as it must exceed `limit`. */
export function editDistance(a: string, b: string, limit = Number.MAX_SAFE_INTEGER): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    if (Math.min(...current) > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length] ?? limit + 1;
}

/** `allow: no group "@admin" (did you mean "@admins"?)`: one unknown principal, in the CLI's words. */
export function describeUnknown(unknown: UnknownPrincipal): string {
  const kind = unknown.written.startsWith('@') ? 'group' : 'user';
  const hint = unknown.suggestion === null ? '' : ` (did you mean "${unknown.suggestion}"?)`;
  return `no ${kind} "${unknown.written}"${hint}`;
}
