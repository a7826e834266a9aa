import { formatFrom } from './parse-options.ts';
import { weakerAspects, type WeakerAspect } from './rule-compare.ts';
import type { AccessRule, MethodCatalogue } from './types.ts';

/** A rule that applies outside a network and lets through what the rule for inside it would not. */
export interface WeakerOutside {
  /** The rule clients outside the network get (no `from=`, or `from=!<network>`). */
  readonly outside: AccessRule;
  /** The `from=<network>` rule (or, against a `from=!<network>` rule, the rule for every client). */
  readonly inside: AccessRule;
  readonly aspects: readonly WeakerAspect[];
}

/** The rules of one host and prefix, `from=` variants together. */
function slots(rules: readonly AccessRule[]): AccessRule[][] {
  const grouped = new Map<string, AccessRule[]>();
  for (const rule of rules) {
    const key = `${rule.host ?? ''} ${rule.prefix}`;
    grouped.set(key, [...(grouped.get(key) ?? []), rule]);
  }
  return [...grouped.values()];
}

/**
 * Rules of one host and prefix where the outside of a network gets less demanding treatment than
 * its inside: the usual intent is the reverse (IceWall's example asks more from abroad), so this
 * is most likely a mistake. A BYPASS inside is compared like any rule; a BYPASS outside is weaker
 * than anything but another BYPASS.
 */
export function findWeakerOutside(rules: readonly AccessRule[], catalogue: MethodCatalogue): WeakerOutside[] {
  const found: WeakerOutside[] = [];
  for (const slot of slots(rules)) {
    const anyClient = slot.find((rule) => rule.from === null) ?? null;
    for (const inside of slot.filter((rule) => rule.from !== null && !rule.from.negated)) {
      const network = inside.from?.network;
      const outsiders = slot.filter((rule) => rule.from === null || rule.from.negated);
      for (const outside of outsiders) {
        if (outside.from?.negated && outside.from.network !== network) continue;
        const aspects = weakerThan(outside, inside, catalogue);
        if (aspects.length > 0) found.push({ outside, inside, aspects });
      }
    }
    // `from=!intranet` against the rule for every client, which then holds for the intranet.
    for (const outside of slot.filter((rule) => rule.from?.negated === true)) {
      if (
        !anyClient ||
        slot.some((r) => r.from?.negated === false && r.from.network === outside.from?.network)
      )
        continue;
      const aspects = weakerThan(outside, anyClient, catalogue);
      if (aspects.length > 0) found.push({ outside, inside: anyClient, aspects });
    }
  }
  return found;
}

function weakerThan(rule: AccessRule, than: AccessRule, catalogue: MethodCatalogue): WeakerAspect[] {
  if (than.methods.kind === 'bypass') return [];
  if (rule.methods.kind === 'bypass') return ['methods'];
  return weakerAspects(rule, than, catalogue);
}

/**
 * Host-and-prefix slots whose rules all carry `from=`: a client none of them is for is refused
 * (403) there, not handed to a shorter prefix. Returns one rule of each such slot.
 */
export function findNetworkOnlyPrefixes(rules: readonly AccessRule[]): AccessRule[] {
  return slots(rules)
    .filter((slot) => slot.every((rule) => rule.from !== null))
    .flatMap((slot) => slot.slice(0, 1));
}

/** `from=intranet` or `from=!intranet`, for messages. */
export function describeFrom(rule: AccessRule): string {
  return rule.from ? `from=${formatFrom(rule.from)}` : 'every client';
}
