/**
 * A user's own authenticators kept in the auth DB, for every method that keeps one (TOTP secrets,
 * passkeys): the general record the self-service page and the admin console list. A method's own
 * fields (a sealed secret, a public key) travel in `data`, which only that method reads.
 */

/** One stored credential. */
export interface StoredCredential {
  readonly id: string;
  readonly userId: string;
  /** The canonical method name (`TOTP`, `PASSKEY`). */
  readonly method: string;
  /** What the user or admin calls it ("Authenticator app", "YubiKey"). */
  readonly name: string;
  /** The method's own JSON; secrets in it are sealed. */
  readonly data: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
}

/** What adding a credential needs. */
export interface NewCredential {
  readonly userId: string;
  readonly method: string;
  readonly name: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Stored credentials, per user and method. Times come from the caller's clock. */
export interface CredentialRepository {
  /** The user's credentials of one method (all methods when `method` is omitted), oldest first. */
  list(userId: string, method?: string): Promise<StoredCredential[]>;
  /** Adds one; `replace` first deletes the user's other credentials of that method (one TOTP). */
  add(credential: NewCredential, now: number, options?: { replace?: boolean }): Promise<StoredCredential>;
  /** Deletes one of the user's credentials of that method; false when there was none. */
  remove(userId: string, method: string, id: string): Promise<boolean>;
  /** Deletes all of the user's credentials of that method; how many there were. */
  removeAll(userId: string, method: string): Promise<number>;
  /** Records a use (the "last used" the listings show). */
  touch(id: string, now: number): Promise<void>;
  /** Renames one of the user's credentials of that method; false when there was none. */
  rename(userId: string, method: string, id: string, name: string): Promise<boolean>;
}

/** Single-use recovery codes, kept as keyed hashes. */
export interface RecoveryCodeRepository {
  /** Replaces the user's codes (earlier ones, used or not, are voided). */
  replace(userId: string, hashes: readonly string[], now: number): Promise<void>;
  /** Marks the code used, atomically: true for exactly one caller, and only while unused. */
  use(userId: string, hash: string, now: number): Promise<boolean>;
  /** How many unused codes the user has. */
  countUnused(userId: string): Promise<number>;
  /** Voids all the user's codes. */
  clear(userId: string): Promise<number>;
}

/** Single-use links that let a user enrol a factor when they have none (or lost theirs). */
export interface FactorActivationRepository {
  create(codeHash: string, userId: string, createdBy: string, expiresAt: number): Promise<void>;
  /** The user of a live (unused, unexpired) code, without using it. */
  peek(codeHash: string, now: number): Promise<string | null>;
  /** Uses the code atomically: its user for exactly one caller while live, else null. */
  use(codeHash: string, now: number): Promise<string | null>;
}
