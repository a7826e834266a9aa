/** Hashes and verifies passwords (argon2id in src/adapters/argon2-hasher.ts). */
export interface PasswordHasher {
  /** A PHC string for the password, with a fresh salt. */
  hash(password: string): Promise<string>;
  /** True when the password matches the hash. */
  verify(hash: string, password: string): Promise<boolean>;
  /** Does the same work as a real verify, for users that do not exist. */
  verifyDummy(password: string): Promise<void>;
}
