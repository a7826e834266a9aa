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
  readonly kind: 'rules' | 'user';
  readonly subject: string | null;
}

/** The feed of changes that running gateways poll. */
export interface ChangeFeed {
  /** The newest sequence number (0 when empty). */
  latest(): Promise<number>;
  /** Changes after `seq`, oldest first. */
  since(seq: number): Promise<ChangeEvent[]>;
}
