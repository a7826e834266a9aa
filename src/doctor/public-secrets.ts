import { createHash } from 'node:crypto';

/**
 * SHA-256 digests of secrets that are public because they were published: the example in
 * deploy/secrets/sekisho_secret.example as shipped. Digests rather than the files, because the
 * docs let operators overwrite that file with their own secret (which must not then be flagged),
 * and because the image does not carry deploy/.
 */
export const PUBLIC_SECRET_DIGESTS: readonly string[] = [
  'fcf4095568e4839005cd4e7e2d2d5c576939bef4a1ae262a63f20cc9aaf1dc74',
];

export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
