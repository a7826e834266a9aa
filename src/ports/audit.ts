/** One security-relevant event: who, what, when, from where. Never a secret. */
export interface AuditEvent {
  /** Dotted name, e.g. `login.password`, `session.logout`, `rule.set`, `user.lock`. */
  readonly event: string;
  readonly outcome: 'success' | 'failure' | 'info';
  /** The user the event is about. */
  readonly userId?: string | null;
  /** Who did it (an admin, `cli`, or the user). */
  readonly actor?: string | null;
  readonly ip?: string | null;
  readonly userAgent?: string | null;
  readonly detail?: Record<string, unknown>;
}

/** Append-only audit trail. */
export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
}

/** A change other instances must apply: rules reloaded, or a user's sessions re-checked. */
export interface ChangeEvent {
  readonly seq: number;
  /**
   * `rules`: reload them. `user`: the user changed; re-check them. `revoke`: the user was
   * locked, deleted, or had groups or password changed, and their revision raised: end their
   * sessions proven below it whatever the user's state by the time the change is seen (a lock
   * undone within one poll still ends them; a login made after the change does not end).
   */
  readonly kind: 'rules' | 'user' | 'revoke';
  readonly subject: string | null;
}

/** The feed of changes that running gateways poll. */
export interface ChangeFeed {
  /** The newest sequence number (0 when empty). */
  latest(): Promise<number>;
  /** Changes after `seq`, oldest first. */
  since(seq: number): Promise<ChangeEvent[]>;
}

/** One stored audit row. */
export interface AuditRecord {
  readonly id: number;
  readonly at: Date;
  readonly event: string;
  readonly outcome: string;
  readonly userId: string | null;
  readonly actor: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** Which audit rows to read; every field narrows. */
export interface AuditFilter {
  /** Rows about this user or done by them (exact user ID). */
  readonly user?: string;
  /** An event name or a dotted prefix of one: `login` matches `login.password` and `login.step`. */
  readonly event?: string;
  /** From this instant (inclusive). */
  readonly from?: Date;
  /** Up to this instant (exclusive). */
  readonly to?: Date;
  /** Rows whose detail has `key` equal (as text) to one of `values`. */
  readonly detail?: { readonly key: string; readonly values: readonly string[] };
}

/** Reading the audit trail back, for the admin console: newest first. */
export interface AuditReader {
  /** One page of rows. */
  query(
    filter: AuditFilter,
    page: { readonly limit: number; readonly offset: number },
  ): Promise<AuditRecord[]>;
  /** Every matching row, fetched in batches, so an export never holds the whole trail in memory. */
  stream(filter: AuditFilter): AsyncIterable<AuditRecord>;
}
