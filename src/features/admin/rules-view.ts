import { formatFrom } from '../../domain/rules/parse-options.ts';
import { ADMIN_PREFIX, withBuiltinRules } from '../../core/rule-engine.ts';
import { requiredPaths } from '../../domain/rules/decide.ts';
import { explainForUser, formatUserExplanation } from '../../domain/rules/explain-user.ts';
import { parseStoredRules, ruleKey } from '../../domain/rules/parse-rule.ts';
import { compileRuleSet, type RuleSet } from '../../domain/rules/rule-set.ts';
import { findRuleWarnings, type RuleWarning } from '../../domain/rules/rule-warnings.ts';
import type { AccessRule } from '../../domain/rules/types.ts';
import { ownPrefix } from '../../web/paths.ts';
import type { AdminDeps } from './deps.ts';
import type { StoredRule } from '../../ports/rules.ts';
import { fill } from '../../web/i18n/catalogue.ts';
import type { AdminMessages } from './messages.ts';
import type { AdminService } from '../../core/admin-service.ts';
import { summarizeRule } from './rule-summary.ts';

/** One row of the rules table, in evaluation order. */
export interface RuleRow {
  readonly rule: AccessRule;
  readonly line: string;
  /** The path-prefix as written (with its origin for a host rule): what the edit page is keyed by. */
  readonly prefix: string;
  /** The `from=` network as written (`intranet`, `!intranet`), '' for every client: with the prefix, the rule's key. */
  readonly from: string;
  /** The console's default rule, in force but not stored. */
  readonly builtin: boolean;
  readonly stored: StoredRule | null;
  readonly warnings: readonly { severity: RuleWarning['severity']; text: string }[];
  /** The rule in words, in the page's language. */
  readonly summary: string;
}

/** The stored rules as every gateway converges on them: parsed, the built-in default added. */
export interface StoredRuleSet {
  readonly stored: readonly StoredRule[];
  readonly rules: readonly AccessRule[];
  readonly ruleSet: RuleSet;
  /** Stored lines that no longer parse (a method's plugin was disabled): the gateways keep their old rules. */
  readonly broken: readonly { line: string; error: string }[];
}

/**
 * Reads the rules from the auth DB rather than this instance's engine: the console then shows
 * the same thing on every instance, including a change made a moment ago elsewhere.
 */
export async function loadStoredRules(gateway: AdminDeps): Promise<StoredRuleSet> {
  const stored = await gateway.ruleRepository.list();
  const { rules: parsed, broken } = parseStoredRules(
    stored.map((rule) => rule.line),
    gateway.catalogue,
    gateway.rules.networks,
  );
  const rules = withBuiltinRules(parsed, gateway.catalogue);
  return { stored, rules, ruleSet: compileRuleSet(rules, gateway.rules.networks), broken };
}

/**
 * The table rows with their warnings and summaries, in the order the gateway evaluates them; a rule
 * naming a user or group that does not exist (misspelt and saved with the override, or deleted since)
 * is flagged too. `groups`: the group names, when the page has read them already (for its pickers).
 */
export async function ruleRows(
  gateway: AdminDeps,
  loaded: StoredRuleSet,
  a: AdminMessages,
  admin: AdminService,
  groups?: readonly string[],
): Promise<RuleRow[]> {
  const unknown = await admin.unknownPrincipals(loaded.ruleSet.rules, { suggest: false, groups });
  const rows = ruleRowsOf(gateway, loaded, a);
  return rows.map((row, index) => {
    const names = unknown.filter((u) => u.lineNumber === index + 1);
    if (names.length === 0) return row;
    const text = names.map((u) => fill(a.warn.unknownPrincipal, { name: u.written })).join(' ');
    return { ...row, warnings: [...row.warnings, { severity: 'warning' as const, text }] };
  });
}

/** The rows with the warnings the rules alone give. */
function ruleRowsOf(gateway: AdminDeps, loaded: StoredRuleSet, a: AdminMessages): RuleRow[] {
  const warnings = findRuleWarnings(loaded.rules, {
    catalogue: gateway.catalogue,
    paths: { own: ownPrefix, console: ADMIN_PREFIX },
    backends: Object.keys(gateway.config.backends),
  });
  const byKey = new Map(loaded.stored.map((s) => [ruleKey(s), s]));
  return loaded.ruleSet.rules.map((rule) => {
    const stored = byKey.get(ruleKey(rule)) ?? null;
    return {
      rule,
      line: rule.line,
      prefix: writtenPrefix(rule.line),
      from: rule.from ? formatFrom(rule.from) : '',
      builtin: stored === null,
      stored,
      warnings: warnings.filter((w) => w.rule === rule.line).map((w) => warningText(w, a)),
      summary: summarizeRule(rule, gateway.catalogue, a),
    };
  });
}

function warningText(warning: RuleWarning, a: AdminMessages) {
  const aspects = warning.aspects.map((aspect) => a.warn.aspect[aspect]).join(', ');
  return {
    severity: warning.severity,
    text: fill(a.warn[warning.code], { related: warning.related ?? '', aspects }),
  };
}

/** The pickers' choices: `ALL`, every group as `@name`, and the first users by ID (a datalist, not a limit). */
export async function principalChoices(gateway: AdminDeps, groups: readonly string[]): Promise<string[]> {
  const users = await gateway.users.search('', { offset: 0, limit: PICKER_USERS });
  return ['ALL', ...groups.map((name) => `@${name}`), ...users.users.map((u) => u.id)];
}

const PICKER_USERS = 500;

/** `/bk01/` of `/bk01/=ALL;;` (a prefix cannot hold `=`, so the first one ends it). */
export function writtenPrefix(line: string): string {
  return line.slice(0, line.indexOf('='));
}

/** The explain form's answer, ready for the page. */
export interface ExplainView {
  readonly decidedBy: string | null;
  readonly kind: string;
  readonly ways: readonly string[];
  readonly forUser: { readonly id: string; readonly kind: string } | null;
  readonly lines: readonly string[];
}

/** "What does user X need at path Y, and which rule decides?" with the user's groups from the DB. */
export async function explainView(
  gateway: AdminDeps,
  ruleSet: RuleSet,
  query: { path: string; userId: string; host: string; client: string },
): Promise<ExplainView | { unknownUser: string }> {
  const user = query.userId === '' ? null : await gateway.users.find(query.userId);
  if (query.userId !== '' && !user) return { unknownUser: query.userId };
  const request = {
    host: query.host === '' ? null : query.host.toLowerCase(),
    rawPath: query.path,
    // The address `from=` rules are judged on; without it no from= rule applies, as in the CLI.
    ...(query.client === '' ? {} : { client: query.client }),
  };
  const explained = explainForUser(ruleSet, request, user, gateway.catalogue, {
    now: gateway.clock.now(),
    networks: gateway.rules.networks,
  });
  const decision = explained.anonymous.decision;
  const rule = 'rule' in decision ? decision.rule : null;
  return {
    decidedBy: rule?.line ?? null,
    kind: decision.kind,
    ways: rule ? requiredPaths(rule.methods, gateway.catalogue).map((path) => path.join(' → ')) : [],
    forUser: explained.asUser
      ? { id: explained.asUser.user.id, kind: explained.asUser.explanation.decision.kind }
      : null,
    lines: formatUserExplanation(explained),
  };
}
