import argon2 from 'argon2';
import type { PasswordHasher } from '../ports/password-hasher.ts';

/** OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane. */
const owaspParameters = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The argon2id {@link PasswordHasher}. argon2 runs on libuv's thread pool, off the event loop. */
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
