/**
 * Key material the gateway makes once and every instance shares (the assertion's signing keys,
 * the VAPID key pair): kept in Postgres, sealed under a key derived from `secret`; the port deals
 * in plaintext material, the adapter seals and opens it.
 */
export interface StoredKey {
  /** What the key is for (`assertion`, `vapid`, …): keys of one purpose rotate together. */
  readonly purpose: string;
  /** Its ID within the purpose (a JWS `kid`). */
  readonly kid: string;
  /** The key itself, as its user serialises it (a JWK's JSON, a base64url key, …). */
  readonly material: string;
  readonly createdAt: Date;
  /** When it stopped being the one to use (still published for verification); null while current. */
  readonly retiredAt: Date | null;
}

export interface NewKey {
  readonly kid: string;
  readonly material: string;
}

export interface KeyStore {
  /** Every key of a purpose, the current one first, then retired ones newest first. */
  list(purpose: string): Promise<StoredKey[]>;
  /**
   * The current key of a purpose, made with `create` if there is none. Instances starting at
   * once agree: exactly one `create` result is kept and every caller gets that key.
   */
  ensure(purpose: string, create: () => NewKey | Promise<NewKey>): Promise<StoredKey>;
  /** Makes `key` the current key of its purpose; the previous current key is retired `now`. */
  rotate(purpose: string, key: NewKey, now: Date): Promise<StoredKey>;
  /** Forgets retired keys of a purpose retired before `before` (no longer published). */
  dropRetired(purpose: string, before: Date): Promise<number>;
}
