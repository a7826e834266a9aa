import { UnknownPrincipalsError } from '../../core/admin-service.ts';
import { SekishoError } from '../../domain/errors.ts';
import { formatMethods } from '../../domain/rules/parse-methods.ts';
import { formatDuration, formatFrom } from '../../domain/rules/parse-options.ts';
import { formatPrincipals } from '../../domain/rules/parse-principals.ts';
import type { AccessRule, MethodRequirement } from '../../domain/rules/types.ts';
import { fill } from '../../web/i18n/catalogue.ts';
import { list, text, type Fields } from './form.ts';
import type { AdminMessages } from './messages.ts';
import { localiseRuleError } from './rule-errors.ts';
import { writtenPrefix } from './rules-view.ts';

/**
 * The fields of a rule form, as typed: the rule line's four, its options one by one, the methods
 * ticked in the picker with how they combine, the override for unknown names, and the whole line
 * for those who write it themselves (the add page's line form).
 */
export interface RuleForm {
  readonly prefix: string;
  readonly allow: string;
  readonly deny: string;
  readonly methods: string;
  readonly from: string;
  readonly reauth: string;
  readonly newdevice: string;
  readonly picked: readonly string[];
  readonly combine: 'all' | 'any';
  readonly allowUnknown: boolean;
  readonly line: string;
}

/** A field of the form an error can stand beside. */
export type RuleFormField =
  'prefix' | 'allow' | 'deny' | 'methods' | 'from' | 'reauth' | 'newdevice' | 'line';

export type FieldErrors = Partial<Record<RuleFormField, string>>;

export const EMPTY_FORM: RuleForm = {
  prefix: '',
  allow: 'ALL',
  deny: '',
  methods: '',
  from: '',
  reauth: '',
  newdevice: '',
  picked: [],
  combine: 'all',
  allowUnknown: false,
  line: '',
};

export function ruleForm(body: Fields | undefined): RuleForm {
  return {
    prefix: text(body, 'prefix', 2048),
    allow: text(body, 'allow', 4096),
    deny: text(body, 'deny', 4096),
    methods: text(body, 'methods', 256),
    from: text(body, 'from', 64),
    reauth: text(body, 'reauth', 32),
    newdevice: text(body, 'newdevice', 256),
    picked: list(body, 'method').slice(0, 16),
    combine: text(body, 'combine', 8) === 'any' ? 'any' : 'all',
    allowUnknown: text(body, 'allowUnknown', 4) === '1',
    line: text(body, 'line', 8192),
  };
}

/** A rule in force back in the form's fields: each option in its own, the methods ticked in the picker. */
export function formOf(rule: AccessRule): RuleForm {
  return {
    ...EMPTY_FORM,
    prefix: writtenPrefix(rule.line),
    allow: formatPrincipals(rule.allow),
    deny: formatPrincipals(rule.deny),
    methods: formatMethods(rule.methods),
    from: rule.from ? formatFrom(rule.from) : '',
    // In the largest whole unit, as the rule's summary says it: `reauth=120m` is shown as 2h.
    reauth: rule.reauthSeconds === null ? '' : formatDuration(rule.reauthSeconds),
    newdevice: rule.newDevice?.join('|') ?? '',
    ...pickedOf(rule.methods),
  };
}

/**
 * The picker's state for a rule's methods: the names ticked and how they combine, when they are
 * a plain all-of (`A,B`) or any-of (`A|B`) list; nothing ticked for anything else (a mix,
 * BYPASS, password only), which the typed field then carries alone.
 */
function pickedOf(methods: MethodRequirement): { picked: string[]; combine: 'all' | 'any' } {
  const none = { picked: [], combine: 'all' as const };
  if (methods.kind === 'bypass') return none;
  const [first, ...rest] = methods.steps;
  if (!first) return none;
  if (rest.length === 0) return { picked: [...first], combine: first.length > 1 ? 'any' : 'all' };
  if (methods.steps.some((step) => step.length > 1)) return none;
  return { picked: methods.steps.flat(), combine: 'all' };
}

/**
 * The rule line the CLI would take. A separator typed inside a field is refused with that field
 * named; methods ticked in the picker are the methods field, and must agree with what is typed
 * there when both are given.
 */
export function ruleLine(form: RuleForm, a: AdminMessages): string {
  if (form.line !== '') return form.line;
  const methods = methodsOf(form, a);
  const fields = { 'path-prefix': form.prefix, allow: form.allow, deny: form.deny, methods };
  for (const [name, value] of Object.entries(fields)) {
    if (/[=;]/.test(value))
      throw new SekishoError('SEKISHO_ERR_RULE_INVALID', `rule: ${name}: must not contain "=" or ";"`);
  }
  const options = { from: form.from, reauth: form.reauth, newdevice: form.newdevice };
  for (const [name, value] of Object.entries(options)) {
    if (/[=;,]/.test(value))
      throw new SekishoError('SEKISHO_ERR_RULE_INVALID', `rule: ${name}: must not contain "=", ";" or ","`);
  }
  const written = Object.entries(options)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${name}=${value}`);
  const line = `${form.prefix}=${form.allow};${form.deny};${methods}`;
  return written.length > 0 ? `${line};${written.join(',')}` : line;
}

function methodsOf(form: RuleForm, a: AdminMessages): string {
  if (form.picked.length === 0) return form.methods;
  const picked = form.picked.join(form.combine === 'any' ? '|' : ',');
  const typed = form.methods.replace(/\s+/g, '');
  if (typed === '' || typed.toUpperCase() === picked.toUpperCase()) return picked;
  throw new SekishoError(
    'SEKISHO_ERR_RULE_INVALID',
    `rule: methods: ${fill(a.rules.methodsDisagree, { picked, typed })}`,
  );
}

const GRAMMAR_FIELDS: Readonly<Record<string, RuleFormField>> = {
  'path-prefix': 'prefix',
  allow: 'allow',
  deny: 'deny',
  methods: 'methods',
  from: 'from',
  reauth: 'reauth',
  newdevice: 'newdevice',
};

/**
 * Each refused field with its error, in the page's language where the console has the words
 * (unknown users and groups, with "did you mean"); a grammar error as the parser names it
 * (`rule: reauth: "15x" is not a duration…` → { reauth: '"15x" is not a duration…' }). A refusal of
 * the typed line stands beside the line field.
 */
export function fieldErrorsOf(
  error: unknown,
  message: string,
  form: RuleForm,
  a: AdminMessages,
): FieldErrors {
  if (error instanceof UnknownPrincipalsError) {
    const errors: FieldErrors = {};
    for (const unknown of error.unknown) {
      const field = form.line !== '' ? 'line' : unknown.field;
      const kind = unknown.written.startsWith('@') ? a.rules.noSuchGroup : a.rules.noSuchUser;
      const said = fill(kind, { name: unknown.written });
      const hint =
        unknown.suggestion === null ? '' : fill(a.rules.didYouMean, { suggestion: unknown.suggestion });
      errors[field] = sentences(errors[field] ?? '', sentences(said, hint));
    }
    return errors;
  }
  const match = /^rule: ([a-z-]+): (.*)$/s.exec(message);
  const field = match?.[1] ? GRAMMAR_FIELDS[match[1]] : undefined;
  if (!field || !match?.[2]) return {};
  return form.line !== '' ? { line: message } : { [field]: localiseRuleError(match[2], a) };
}

/** Two sentences in a row: a space after an English one, none after a Japanese one (「…。」). */
function sentences(first: string, second: string): string {
  if (first === '' || second === '') return first + second;
  return /[\x21-\x7e]$/.test(first) ? `${first} ${second}` : `${first}${second}`;
}
