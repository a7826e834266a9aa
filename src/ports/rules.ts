import type { AccessRule } from '../domain/rules/types.ts';

export interface StoredRule {
  /** Lower-cased `host[:port]`, or null for every host. */
  readonly host: string | null;
  /** The normalised, lower-cased prefix (with host, the rule's identity). */
  readonly prefix: string;
  readonly line: string;
  readonly version: number;
  readonly changedBy: string;
  readonly changedAt: Date;
}

export interface RuleHistoryEntry {
  readonly version: number;
  readonly host: string | null;
  readonly prefix: string;
  /** null when the rule was deleted. */
  readonly line: string | null;
  readonly changedBy: string;
  readonly changedAt: Date;
}

/** What a guarded save found: the write, or the rule as someone else left it (null: none). */
export type GuardedSave =
  { readonly kind: 'saved' } | { readonly kind: 'changed'; readonly current: StoredRule | null };

/** Access rules in the auth DB, with who changed them and when; every change kept in history. */
export interface RuleRepository {
  list(): Promise<StoredRule[]>;
  /** Adds or replaces the rule for its host and prefix. */
  save(rule: AccessRule, actor: string): Promise<void>;
  /**
   * Saves the rule only if its stored version is still `expectedVersion` (null: only if there is
   * none yet), checked by the write itself so that of two simultaneous saves only one lands.
   */
  saveIfVersion(rule: AccessRule, actor: string, expectedVersion: number | null): Promise<GuardedSave>;
  /** Adds or replaces several rules at once, all or none; `replace` deletes the rules not listed. */
  saveAll(rules: readonly AccessRule[], actor: string, replace: boolean): Promise<void>;
  /** Deletes the rule for a host (null: every host) and prefix; false when there was none. */
  remove(host: string | null, prefix: string, actor: string): Promise<boolean>;
  /**
   * Deletes the rule only if its stored version is still `expectedVersion`, checked by the
   * delete itself; `changed` (with the rule as it is now, null: gone) otherwise.
   */
  removeIfVersion(
    host: string | null,
    prefix: string,
    actor: string,
    expectedVersion: number,
  ): Promise<GuardedSave>;
  /** Newest first; `offset` pages back through older changes. */
  history(limit: number, offset?: number): Promise<RuleHistoryEntry[]>;
  /** One change by its version, or null. */
  findVersion(version: number): Promise<RuleHistoryEntry | null>;
}
