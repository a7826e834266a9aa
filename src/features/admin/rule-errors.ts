import { fill } from '../../web/i18n/catalogue.ts';
import type { AdminMessages } from './messages.ts';

type GrammarError = keyof AdminMessages['grammar'];

/**
 * The rule grammar's errors the console puts in the page's language: each the parser's English
 * message (src/domain/rules/parse-*.ts) as a pattern, its captures the placeholders. The parser
 * stays the one source of truth; a message without a pattern is shown as the parser wrote it, and
 * rule-errors.test.ts runs every pattern against the parser's real output, so that a changed
 * message is noticed.
 */
const PATTERNS: readonly [RegExp, GrammarError, readonly string[]][] = [
  [/^empty; use ALL to allow everyone$/, 'allowEmpty', []],
  [/^unknown method "(.+)"$/, 'unknownMethod', ['name']],
  [/^duplicate method (.+)$/, 'duplicateMethod', ['name']],
  [/^BYPASS cannot be combined with other methods$/, 'bypassCombined', []],
  [/^the password is implicit and must not be listed/, 'passwordImplicit', []],
  [/^empty method name/, 'emptyMethod', []],
  [/^invalid group name "(.+)"$/, 'invalidGroup', ['name']],
  [/^invalid user ID "(.+)"$/, 'invalidUser', ['name']],
  [/^duplicate entry "(.+)"$/, 'duplicateEntry', ['name']],
  [/^"ALL" cannot be combined with other entries$/, 'allCombined', []],
  [/^empty entry/, 'emptyEntry', []],
  [/^unknown network "(.+)" \((.*)\)$/, 'unknownNetwork', ['name', 'known']],
  [/^"(.*)" is not a duration/, 'notDuration', ['value']],
  [/^"(.*)" is too short; the least is 1s$/, 'tooShort', ['value']],
  [/^empty; expected an absolute path/, 'prefixEmpty', []],
  [/^"(.*)" must end with "\/"$/, 'prefixSlash', ['value']],
  [/^"(.*)" must be an absolute path starting with "\/"$/, 'prefixAbsolute', ['value']],
  [/^must not contain "=" or ";"$/, 'separator', []],
  [/^must not contain "=", ";" or ","$/, 'optionSeparator', []],
  [/^a rule for this prefix exists \((.+)\); edit it instead$/, 'ruleExists', ['line']],
];

/** A grammar error of one field in the page's language, or as the parser wrote it. */
export function localiseRuleError(message: string, a: AdminMessages): string {
  for (const [pattern, key, names] of PATTERNS) {
    const match = pattern.exec(message);
    if (!match) continue;
    const values = Object.fromEntries(names.map((name, i) => [name, match[i + 1] ?? '']));
    return fill(a.grammar[key], values);
  }
  return message;
}

/** A refusal `rule: <field>: <message>` with its message in the page's language; anything else as it is. */
export function localiseRefusal(refusal: string, a: AdminMessages): string {
  const match = /^(rule: [a-z-]+: )(.*)$/s.exec(refusal);
  return match ? `${match[1]}${localiseRuleError(match[2] ?? '', a)}` : refusal;
}
