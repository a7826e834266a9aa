import { formatMethods, parseMethods } from './parse-methods.ts';
import {
  formatFrom,
  formatOptions,
  parseOptions,
  type NetworkNames,
  type RuleErrorCode,
  type RuleFailure,
} from './parse-options.ts';
import { parsePathPrefix } from './parse-prefix.ts';
import { formatPrincipals, parseAllow, parseDeny } from './parse-principals.ts';
import type { AccessRule, MethodCatalogue, RuleField, RuleParseResult } from './types.ts';

/** What {@link parseRule} gives: the rule, or the field refused and why (with a code where the cause has one). */
export type ParsedRule = Extract<RuleParseResult, { ok: true }> | RuleFailure;

/** One bad line of a rules file. */
export interface RuleLineError {
  /** 1-based line number in the imported text. */
  readonly lineNumber: number;
  readonly field: RuleField;
  readonly message: string;
  readonly code?: RuleErrorCode;
}

/** A stored line that no longer parses, with its one-line error. */
export interface BrokenRule {
  readonly line: string;
  readonly error: string;
  /** Why, where the cause has a code: `unknown-network`, a network the configuration lost. */
  readonly code?: RuleErrorCode;
}

/** Result of {@link parseRules}: every rule, or every error (all-or-nothing import). */
export type RulesParseResult =
  | { readonly ok: true; readonly rules: readonly AccessRule[] }
  | { readonly ok: false; readonly errors: readonly RuleLineError[] };

function fail(field: RuleField, message: string): RuleFailure {
  return { ok: false, field, message };
}

const noNetworks: NetworkNames = new Set<string>();

/**
 * Parses one IceWall-style rule line, `<path-prefix>=<allow>;<deny>;<methods>[;<options>]`.
 * Errors name the offending field so an admin can fix the line. `networks` are the names
 * `from=` may use (none given: every `from=` is refused).
 */
export function parseRule(
  line: string,
  catalogue: MethodCatalogue,
  networks: NetworkNames = noNetworks,
): ParsedRule {
  const text = line.trim();
  if (text === '') return fail('line', 'empty rule');
  const eq = text.indexOf('=');
  if (eq < 0) return fail('line', 'missing "=" between the path-prefix and allow;deny;methods');
  const fields = text
    .slice(eq + 1)
    .split(';')
    .map((field) => field.trim());
  if (fields.length !== 3 && fields.length !== 4) {
    return fail(
      'line',
      `expected 3 or 4 fields after "=" (allow;deny;methods[;options]), found ${fields.length}`,
    );
  }
  if (fields.length === 4 && fields[3] === '')
    return fail('line', 'found 4 fields but the options field is empty; remove the trailing ";"');
  if (fields.slice(0, 3).some((field) => field.includes('=')))
    return fail('line', 'more than one "="; expected <path-prefix>=<allow>;<deny>;<methods>[;<options>]');
  const [allowText = '', denyText = '', methodsText = '', optionsText = ''] = fields;
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
  const options = parseOptions(optionsText, catalogue, networks);
  if (!options.ok) return options;
  const { from, reauthSeconds, newDevice } = options.value;
  if (methods.value.kind === 'bypass' && reauthSeconds !== null)
    return fail('reauth', 'a BYPASS path proves nothing, so nothing can be fresh');
  if (methods.value.kind === 'bypass' && newDevice !== null)
    return fail('newdevice', 'a BYPASS path asks for nothing, on a new device either');
  const written = formatOptions(options.value);
  const canonical = `${prefix.value.written}=${formatPrincipals(allow.value)};${formatPrincipals(deny.value)};${formatMethods(methods.value)}${written === '' ? '' : `;${written}`}`;
  const rule: AccessRule = {
    host: prefix.value.host,
    prefix: prefix.value.prefix,
    allow: allow.value,
    deny: deny.value,
    methods: methods.value,
    from,
    reauthSeconds,
    newDevice,
    line: canonical,
  };
  return { ok: true, rule };
}

/**
 * Parses a rules file: one rule per line, blank lines and `#` comments ignored. Reports
 * every bad line, including a second rule for the same host and prefix.
 */
export function parseRules(
  text: string,
  catalogue: MethodCatalogue,
  networks: NetworkNames = noNetworks,
): RulesParseResult {
  const rules: AccessRule[] = [];
  const errors: RuleLineError[] = [];
  const firstLine = new Map<string, number>();
  text.split(/\r?\n/).forEach((line, index) => {
    const lineNumber = index + 1;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const parsed = parseRule(trimmed, catalogue, networks);
    if (!parsed.ok) {
      const { field, message, code } = parsed;
      errors.push({ lineNumber, field, message, ...(code ? { code } : {}) });
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

/** Identity of a rule within a rule set: its host (or every host), prefix and `from` network. */
export function ruleKey(
  rule: Pick<AccessRule, 'host' | 'prefix'> & { readonly from?: AccessRule['from'] | string },
): string {
  const from = typeof rule.from === 'string' ? rule.from : rule.from ? formatFrom(rule.from) : '';
  return `${rule.host ?? ''} ${rule.prefix} ${from}`;
}

/**
 * Parses rules as stored (one line each, already validated when saved): the ones that parse,
 * and those that no longer do (a method's plugin was turned off, a network left the
 * configuration) with their one-line error.
 */
export function parseStoredRules(
  lines: readonly string[],
  catalogue: MethodCatalogue,
  networks: NetworkNames = noNetworks,
): { rules: AccessRule[]; broken: BrokenRule[] } {
  const rules: AccessRule[] = [];
  const broken: BrokenRule[] = [];
  for (const line of lines) {
    const parsed = parseRule(line, catalogue, networks);
    if (parsed.ok) rules.push(parsed.rule);
    else broken.push({ line, error: formatRuleError(parsed), ...(parsed.code ? { code: parsed.code } : {}) });
  }
  return { rules, broken };
}

function describeKey(rule: AccessRule): string {
  const where = rule.host === null ? rule.prefix : `${rule.host}${rule.prefix}`;
  return rule.from ? `${where} from=${formatFrom(rule.from)}` : where;
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
