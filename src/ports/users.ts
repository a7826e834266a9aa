/** A user of the auth DB as the core sees it. */
export interface UserRecord {
  readonly id: string;
  readonly displayName: string;
  /** argon2id PHC string; null when the user has no password (passwordless only). */
  readonly passwordHash: string | null;
  /** E.164, e.g. +819012345678. */
  readonly phone: string | null;
  readonly email: string | null;
  /** Locked by an admin: no login at all. */
  readonly locked: boolean;
  /** Failed passwords in the current lockout window; attempts still being checked count as failed. */
  readonly failedCount: number;
  /** Temporary lockout after too many failures (ms since epoch), or null. */
  readonly lockoutUntil: number | null;
  readonly groups: readonly string[];
  /**
   * Raised by every change that ends the user's sessions (a lock, a new password, other groups).
   * A session records the revision it was proven at; those below the current one are ended.
   */
  readonly revision: number;
}

export interface NewUser {
  readonly id: string;
  readonly displayName: string;
  readonly passwordHash: string | null;
  readonly phone: string | null;
  readonly email: string | null;
  readonly groups: readonly string[];
}

export interface UserChanges {
  readonly displayName?: string;
  readonly phone?: string | null;
  readonly email?: string | null;
  readonly passwordHash?: string;
  readonly locked?: boolean;
  readonly groups?: readonly string[];
}

/** The auth DB's users and groups. Every change is also written to the change feed. */
export interface UserRepository {
  /** The user with its groups, or null. */
  find(id: string): Promise<UserRecord | null>;
  /**
   * The user an ID typed at login names: the user with exactly this ID, else the one whose ID
   * differs from it only in letter case; null when there is none, or (IDs stored before such
   * clashes were refused) more than one.
   */
  findForLogin(typedId: string): Promise<UserRecord | null>;
  list(): Promise<UserRecord[]>;
  /**
   * One page (by ID) of the users whose ID, name, email, phone or a group contains `text`, in any
   * letter case ('' matches everyone), and how many match in all. A `text` that looks like (part
   * of) a phone number as people type it (`090-1234`) also finds the phones whose E.164 contains
   * what it stands for (`+81901234`; see `phoneSearchPart`).
   */
  search(text: string, page: { offset: number; limit: number }): Promise<UserPage>;
  /** How many users there are, and how many of them are locked or locked out at `now`. */
  countUsers(now: number): Promise<{ total: number; flagged: number }>;
  /**
   * Throws SEKISHO_ERR_USER_EXISTS (also for an ID that differs from a stored one only in letter
   * case: logins could not tell them apart), or SEKISHO_ERR_GROUP_NOT_FOUND for an unknown group.
   */
  create(user: NewUser): Promise<void>;
  /** Throws SEKISHO_ERR_USER_NOT_FOUND. */
  update(id: string, changes: UserChanges): Promise<void>;
  /** Throws SEKISHO_ERR_USER_NOT_FOUND. */
  remove(id: string): Promise<void>;
  /**
   * Reserves a password attempt before the password is checked, atomically: refused while the
   * user is locked or locked out; otherwise numbered and counted as a failure until
   * `recordSuccess` says otherwise, and the reservation that brings the count to
   * `policy.maxFailures` starts the lockout. So however many attempts run at once, on however
   * many gateways, at most `maxFailures` may check the password in one lockout window.
   */
  reserveAttempt(id: string, now: number, policy: LockoutPolicy): Promise<AttemptReservation>;
  /**
   * Settles a reserved attempt whose password was wrong. It was counted when reserved; it is
   * counted again only when a success or a new window cleared the count while it was running.
   */
  recordFailure(id: string, attempt: number, now: number, policy: LockoutPolicy): Promise<void>;
  /**
   * Settles a reserved attempt whose password was right. When no attempt came after it, the
   * failure count and lockout are cleared; otherwise only its own reservation is taken back, so
   * a right password inside a burst of wrong ones does not reopen the account to the burst.
   */
  recordSuccess(id: string, attempt: number, now: number): Promise<void>;
  /** Clears the failure count and a temporary lockout (an admin's lock stays). Throws SEKISHO_ERR_USER_NOT_FOUND. */
  clearLockout(id: string): Promise<void>;

  createGroup(name: string): Promise<void>;
  removeGroup(name: string): Promise<void>;
  listGroups(): Promise<{ name: string; members: string[] }[]>;
}

export interface UserPage {
  readonly users: readonly UserRecord[];
  /** All the users that match, across every page. */
  readonly total: number;
}

/** How many failed passwords lock a user out, and for how long. */
export interface LockoutPolicy {
  readonly maxFailures: number;
  readonly lockoutMs: number;
}

/** The answer to `reserveAttempt`: a numbered attempt that may check the password, or why not. */
export type AttemptReservation =
  | { readonly reserved: true; readonly attempt: number }
  | { readonly reserved: false; readonly reason: 'locked' | 'lockout' | 'unknown-user' };
