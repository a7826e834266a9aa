import { formatMethods, parseMethods } from './parse-methods.ts';
import { parsePathPrefix } from './parse-prefix.ts';
import { formatPrincipal, parseAllow, parseDeny } from './parse-principals.ts';
import type { AccessRule, MethodCatalogue, Principal, RuleField, RuleParseResult } from './types.ts';

/** One bad line of a rules file. */
export interface RuleLineError {
  /** 1-based line number in the imported text. */
  readonly lineNumber: number;
  readonly field: RuleField;
  readonly message: string;
}

/** Result of {@link parseRules}: every rule, or every error (all-or-nothing import). */
export type RulesParseResult =
  | { readonly ok: true; readonly rules: readonly AccessRule[] }
  | { readonly ok: false; readonly errors: readonly RuleLineError[] };

function fail(field: RuleField, message: string): RuleParseResult {
  return { ok: false, field, message };
}

/**
 * Parses one IceWall-style rule line, `<path-prefix>=<allow>;<deny>;<methods>`.
 * Errors name the offending field so an admin can fix the line.
 */
export function parseRule(line: string, catalogue: MethodCatalogue): RuleParseResult {
  const text = line.trim();
  if (text === '') return fail('line', 'empty rule');
  const eq = text.indexOf('=');
  if (eq < 0) return fail('line', 'missing "=" between the path-prefix and allow;deny;methods');
  const rest = text.slice(eq + 1);
  if (rest.includes('='))
    return fail('line', 'more than one "="; expected <path-prefix>=<allow>;<deny>;<methods>');
  const fields = rest.split(';').map((field) => field.trim());
  if (fields.length !== 3) {
    return fail('line', `expected 3 fields after "=" (allow;deny;methods), found ${fields.length}`);
  }
  const [allowText = '', denyText = '', methodsText = ''] = fields;
  const prefix = parsePathPrefix(text.slice(0, eq).trim());
  if (!prefix.ok) return fail('path-prefix', prefix.message);
  const allow = parseAllow(allowText);
  if (!allow.ok) return fail('allow', allow.message);
  const deny = parseDeny(denyText);
  if (!deny.ok) return fail('deny', deny.message);
  const methods = parseMethods(methodsText, catalogue);
  if (!methods.ok) return fail('methods', methods.message);
  if (methods.value.kind === 'bypass') {
    // A public path is proxied without identity, so a user list could never be checked.
    if (allow.value !== 'all')
      return fail('allow', 'a BYPASS path is public and carries no identity; use ALL');
    if (deny.value.length > 0)
      return fail('deny', 'a BYPASS path is public and carries no identity; leave deny empty');
  }
  const canonical = `${prefix.value.written}=${formatList(allow.value)};${formatList(deny.value)};${formatMethods(methods.value)}`;
  const rule: AccessRule = {
    host: prefix.value.host,
    prefix: prefix.value.prefix,
    allow: allow.value,
    deny: deny.value,
    methods: methods.value,
    line: canonical,
  };
  return { ok: true, rule };
}

function formatList(list: 'all' | readonly Principal[]): string {
  return list === 'all' ? 'ALL' : list.map(formatPrincipal).join(',');
}

/**
 * Parses a rules file: one rule per line, blank lines and `#` comments ignored. Reports
 * every bad line, including a second rule for the same host and prefix.
 */
export function parseRules(text: string, catalogue: MethodCatalogue): RulesParseResult {
  const rules: AccessRule[] = [];
  const errors: RuleLineError[] = [];
  const firstLine = new Map<string, number>();
  text.split(/\r?\n/).forEach((line, index) => {
    const lineNumber = index + 1;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const parsed = parseRule(trimmed, catalogue);
    if (!parsed.ok) {
      errors.push({ lineNumber, field: parsed.field, message: parsed.message });
      return;
    }
    const key = ruleKey(parsed.rule);
    const earlier = firstLine.get(key);
    if (earlier !== undefined) {
      const message = `duplicate rule for ${describeKey(parsed.rule)} (first on line ${earlier})`;
      errors.push({ lineNumber, field: 'path-prefix', message });
      return;
    }
    firstLine.set(key, lineNumber);
    rules.push(parsed.rule);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, rules };
}

/** Identity of a rule within a rule set: its host (or every host) and prefix. */
export function ruleKey(rule: Pick<AccessRule, 'host' | 'prefix'>): string {
  return `${rule.host ?? ''} ${rule.prefix}`;
}

/**
 * Parses rules as stored (one line each, already validated when saved): the ones that parse,
 * and those that no longer do (a method's plugin was turned off) with their one-line error.
 */
export function parseStoredRules(
  lines: readonly string[],
  catalogue: MethodCatalogue,
): { rules: AccessRule[]; broken: { line: string; error: string }[] } {
  const rules: AccessRule[] = [];
  const broken: { line: string; error: string }[] = [];
  for (const line of lines) {
    const parsed = parseRule(line, catalogue);
    if (parsed.ok) rules.push(parsed.rule);
    else broken.push({ line, error: formatRuleError(parsed) });
  }
  return { rules, broken };
}

function describeKey(rule: AccessRule): string {
  return rule.host === null ? rule.prefix : `${rule.host}${rule.prefix}`;
}

/** One-line message for a parse error: `methods: unknown method "FOO"` (with `line N: ` for files). */
export function formatRuleError(error: {
  readonly field: RuleField;
  readonly message: string;
  readonly lineNumber?: number;
}): string {
  const where = error.lineNumber === undefined ? '' : `line ${error.lineNumber}: `;
  return `${where}${error.field}: ${error.message}`;
}
