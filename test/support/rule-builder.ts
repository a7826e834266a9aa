import { formatRuleError, parseRule } from '../../src/domain/rules/parse-rule.ts';
import { compileRuleSet } from '../../src/domain/rules/rule-set.ts';
import type { RuleSet } from '../../src/domain/rules/rule-set.ts';
import type { AccessRule, MethodCatalogue } from '../../src/domain/rules/types.ts';

/** One method known to a {@link catalogueOf} catalogue. */
export interface TestMethod {
  /** Canonical, upper-case name, e.g. `SMSOTP`. */
  readonly name: string;
  /** True when the method replaces the password instead of following it. */
  readonly passwordless: boolean;
  /** Upper-case aliases, e.g. `PUSH` for `MAMORU`. */
  readonly aliases?: readonly string[];
}

/**
 * Builds a catalogue from a method list, for tests. Names are looked up upper-cased, and
 * `password` is always known, as in the real catalogue.
 */
export function catalogueOf(methods: readonly TestMethod[]): MethodCatalogue {
  const canonical = new Map<string, string>([['PASSWORD', 'password']]);
  const passwordless = new Set<string>();
  for (const method of methods) {
    canonical.set(method.name.toUpperCase(), method.name);
    for (const alias of method.aliases ?? []) canonical.set(alias.toUpperCase(), method.name);
    if (method.passwordless) passwordless.add(method.name);
  }
  return {
    canonical: (name) => canonical.get(name.toUpperCase()),
    isPasswordless: (name) => passwordless.has(name),
  };
}

/** SMSOTP and TOTP (second factors) and MAMORU (passwordless push, alias PUSH). */
export const testCatalogue: MethodCatalogue = catalogueOf([
  { name: 'SMSOTP', passwordless: false },
  { name: 'TOTP', passwordless: false },
  { name: 'MAMORU', passwordless: true, aliases: ['PUSH'] },
]);

/** Parses one rule line with {@link testCatalogue}, throwing on error (test tables stay short). */
export function ruleOf(line: string, catalogue: MethodCatalogue = testCatalogue): AccessRule {
  const result = parseRule(line, catalogue);
  if (!result.ok) throw new Error(`bad test rule ${JSON.stringify(line)}: ${formatRuleError(result)}`);
  return result.rule;
}

/** Compiles rule lines into a rule set: `ruleSetOf('/open/=ALL;;BYPASS', '/secret/=@admins;;SMSOTP')`. */
export function ruleSetOf(...lines: string[]): RuleSet {
  return compileRuleSet(lines.map((line) => ruleOf(line)));
}
