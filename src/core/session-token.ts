import { createHash, randomBytes } from 'node:crypto';
import type { StoredSession } from '../ports/session-store.ts';

/**
 * A session's token and what it has proven: what the session service and its cache share, in a
 * module of its own so that neither imports the other for it.
 */

/** A live session: its token (the cookie value) and what it has proven. */
export interface ActiveSession {
  /** The cookie value; never stored. */
  readonly token: string;
  /** {@link hashToken} of the token: the session's key in the store. */
  readonly hash: string;
  /** What the store holds for it. */
  readonly data: StoredSession;
}

/** 256 random bits, base64url: the only copy is the user's cookie. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The store keeps only this hash, so a leaked store cannot be replayed as cookies. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
