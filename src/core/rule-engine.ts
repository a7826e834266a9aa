import { NO_NETWORKS, type Networks } from '../domain/networks.ts';
import { parseRule, parseStoredRules } from '../domain/rules/parse-rule.ts';
import { compileRuleSet, type RuleSet } from '../domain/rules/rule-set.ts';
import { withSharedParts } from '../domain/rules/shared-parts.ts';
import type { AccessRule, MethodCatalogue } from '../domain/rules/types.ts';
import type { RuleRepository } from '../ports/rules.ts';

/** Where the admin console lives; guarded by a rule like any backend. */
export const ADMIN_PREFIX = '/_sekisho/admin/';

export type RuleLoadResult =
  { readonly ok: true; readonly count: number } | { readonly ok: false; readonly errors: string[] };

/**
 * Holds the compiled rule set the gate reads on every request. A reload that finds a bad
 * rule keeps serving the old set.
 */
export class RuleEngine {
  private ruleSet: RuleSet = compileRuleSet([]);
  private readonly repository: RuleRepository;
  private readonly catalogue: MethodCatalogue;
  /** The `networks` section, compiled: what `from=` may name. */
  readonly networks: Networks;

  constructor(repository: RuleRepository, catalogue: MethodCatalogue, networks: Networks = NO_NETWORKS) {
    this.repository = repository;
    this.catalogue = catalogue;
    this.networks = networks;
  }

  /** The rules in force (compiled once per change). */
  get current(): RuleSet {
    return this.ruleSet;
  }

  async reload(): Promise<RuleLoadResult> {
    const stored = await this.repository.list();
    const { rules, broken } = parseStoredRules(
      stored.map((rule) => rule.line),
      this.catalogue,
      this.networks,
    );
    if (broken.length > 0)
      return { ok: false, errors: broken.map(({ line, error }) => `rule ${JSON.stringify(line)}: ${error}`) };
    this.ruleSet = compileRuleSet(withBuiltinRules(withSharedParts(rules), this.catalogue), this.networks);
    return { ok: true, count: rules.length };
  }
}

/**
 * The admin console is guarded like any app: by the stored rule for `/_sekisho/admin/` when
 * there is one, else by this default (a second factor when SMS is available; `sekisho doctor`
 * flags the password-only fallback). Returns the stored rules plus the defaults that apply.
 */
export function withBuiltinRules(stored: readonly AccessRule[], catalogue: MethodCatalogue): AccessRule[] {
  if (stored.some((rule) => rule.host === null && rule.prefix === ADMIN_PREFIX && rule.from === null))
    return [...stored];
  const withSms = catalogue.canonical('SMSOTP') !== undefined;
  const parsed = parseRule(`${ADMIN_PREFIX}=@admins;;${withSms ? 'SMSOTP' : ''}`, catalogue);
  return parsed.ok ? [...stored, parsed.rule] : [...stored];
}
