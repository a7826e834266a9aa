import type { RuleHistoryEntry, RuleIdentity } from '../../ports/rules.ts';

/** One field of a rule line that a change touched. */
export interface FieldChange {
  /** The grammar's name for the field: `allow`, `deny`, `methods`, `options`. */
  readonly field: string;
  readonly before: string;
  readonly after: string;
}

/** What one history entry changed: the line before and after it, and the fields that differ. */
export interface RuleChangeDiff {
  /** The line before this change; null when the rule did not exist before it. */
  readonly before: string | null;
  /** The line after it; null when the change deleted the rule. */
  readonly after: string | null;
  /** False when the version before lies beyond what was read (older than the lookback). */
  readonly beforeKnown: boolean;
  readonly fields: readonly FieldChange[];
}

const FIELDS = ['allow', 'deny', 'methods', 'options'] as const;

/**
 * Pairs each of `shown` (newest first) with the previous version of the same rule (host, prefix
 * and `from`), looked for in `older` — the entries after it, newest first. `complete` says that
 * `older` reaches back to the first change, so a rule with no earlier entry was created there.
 */
export function diffHistory(
  shown: readonly RuleHistoryEntry[],
  older: readonly RuleHistoryEntry[],
  complete: boolean,
): RuleChangeDiff[] {
  const all = [...shown, ...older];
  return shown.map((entry, index) => {
    const previous = all.slice(index + 1).find((e) => sameRule(e, entry));
    const before = previous ? previous.line : null;
    return {
      before,
      after: entry.line,
      beforeKnown: previous !== undefined || complete,
      fields: fieldChanges(before, entry.line),
    };
  });
}

function sameRule(a: RuleIdentity, b: RuleIdentity): boolean {
  return a.host === b.host && a.prefix === b.prefix && a.from === b.from;
}

/** The fields of two lines of the same rule that differ (a missing line counts as empty fields). */
export function fieldChanges(before: string | null, after: string | null): FieldChange[] {
  const b = fieldsOf(before);
  const a = fieldsOf(after);
  return FIELDS.flatMap((field, i) =>
    (b[i] ?? '') === (a[i] ?? '') ? [] : [{ field, before: b[i] ?? '', after: a[i] ?? '' }],
  );
}

/** `allow;deny;methods;options` of a line (its prefix cannot hold `=`, so the first one ends it). */
function fieldsOf(line: string | null): string[] {
  if (line === null) return [];
  return line.slice(line.indexOf('=') + 1).split(';');
}
