import argon2 from 'argon2';

/** OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane. */
const owaspParameters = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Hashes and verifies passwords. argon2 runs on libuv's thread pool, off the event loop. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** True when the password matches the hash. */
  verify(hash: string, password: string): Promise<boolean>;
  /** Does the same work as a real verify, for users that do not exist. */
  verifyDummy(password: string): Promise<void>;
}

export async function createArgon2Hasher(): Promise<PasswordHasher> {
  const dummyHash = await argon2.hash('sekisho-dummy-password', owaspParameters);
  return {
    hash: (password) => argon2.hash(password, owaspParameters),
    verify: async (hash, password) => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    },
    verifyDummy: async (password) => {
      await argon2.verify(dummyHash, password);
    },
  };
}
