import type { AccessRule } from '../domain/rules/types.ts';

/** What names one stored rule: host, prefix and `from=` network. */
export interface RuleIdentity {
  /** Lower-cased `host[:port]`, or null for every host. */
  readonly host: string | null;
  /** The normalised, lower-cased prefix. */
  readonly prefix: string;
  /** The `from=` network as written (`intranet`, `!intranet`), or null for every client. */
  readonly from: string | null;
}

export interface StoredRule extends RuleIdentity {
  readonly line: string;
  readonly version: number;
  readonly changedBy: string;
  readonly changedAt: Date;
}

export interface RuleHistoryEntry extends RuleIdentity {
  readonly version: number;
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
  /** Adds or replaces the rule for its host, prefix and `from`. */
  save(rule: AccessRule, actor: string): Promise<void>;
  /**
   * Saves the rule only if its stored version is still `expectedVersion` (null: only if there is
   * none yet), checked by the write itself so that of two simultaneous saves only one lands.
   */
  saveIfVersion(rule: AccessRule, actor: string, expectedVersion: number | null): Promise<GuardedSave>;
  /** Adds or replaces several rules at once, all or none; `replace` deletes the rules not listed. */
  saveAll(rules: readonly AccessRule[], actor: string, replace: boolean): Promise<void>;
  /** Deletes the rule for a host (null: every host), prefix and `from`; false when there was none. */
  remove(rule: RuleIdentity, actor: string): Promise<boolean>;
  /**
   * Deletes the rule only if its stored version is still `expectedVersion`, checked by the
   * delete itself; `changed` (with the rule as it is now, null: gone) otherwise.
   */
  removeIfVersion(rule: RuleIdentity, actor: string, expectedVersion: number): Promise<GuardedSave>;
  /** Newest first; `offset` pages back through older changes. */
  history(limit: number, offset?: number): Promise<RuleHistoryEntry[]>;
  /** One change by its version, or null. */
  findVersion(version: number): Promise<RuleHistoryEntry | null>;
}
