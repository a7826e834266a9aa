import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../ports/clock.ts';
import type { Store, StoredSession } from '../ports/store.ts';

export interface SessionTimeouts {
  readonly idleMs: number;
  readonly absoluteMs: number;
}

/** A live session: its token (the cookie value) and what it has proven. */
export interface ActiveSession {
  readonly token: string;
  readonly hash: string;
  readonly data: StoredSession;
}

/** A session as listed to admins and to its user: never its token. */
export interface SessionListing {
  /** The stored hash: what revocation names, not usable as a cookie. */
  readonly hash: string;
  readonly data: StoredSession;
  readonly lastSeen: number;
}

export interface ClientInfo {
  readonly ip: string;
  readonly userAgent: string;
}

/** 256 random bits, base64url: the only copy is the user's cookie. */
function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The store keeps only this hash, so a leaked store cannot be replayed as cookies. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Sessions: creation, reading with idle and absolute timeouts, regeneration and revocation. */
export class SessionService {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly timeouts: SessionTimeouts;

  constructor(store: Store, clock: Clock, timeouts: SessionTimeouts) {
    this.store = store;
    this.clock = clock;
    this.timeouts = timeouts;
  }

  /** Reads the session behind a cookie value in one store round trip; null when none or expired. */
  async read(token: string | undefined): Promise<ActiveSession | null> {
    if (!token || token.length !== 43) return null;
    const hash = hashToken(token);
    const now = this.clock.now();
    const data = await this.store.touchSession(hash, {
      now,
      idleMs: this.timeouts.idleMs,
      ttlMs: this.timeouts.idleMs,
    });
    if (!data) return null;
    if (now - data.createdAt >= this.timeouts.absoluteMs) {
      await this.store.deleteSession(hash);
      return null;
    }
    return { token, hash, data };
  }

  /**
   * Records a newly proven method under a NEW session ID (the old one is deleted), so a
   * token planted before login is worthless after it. A different user starts afresh.
   */
  async prove(
    previous: ActiveSession | null,
    user: { id: string; groups: readonly string[] },
    method: string,
    client: ClientInfo,
  ): Promise<ActiveSession> {
    const now = this.clock.now();
    const carried = previous && previous.data.userId === user.id ? previous.data : null;
    const proven = carried ? [...carried.proven.filter((m) => m !== method), method] : [method];
    const data: StoredSession = {
      userId: user.id,
      groups: [...user.groups],
      proven,
      createdAt: carried?.createdAt ?? now,
      authenticatedAt: now,
      ip: client.ip,
      userAgent: client.userAgent.slice(0, 256),
    };
    if (previous) await this.store.deleteSession(previous.hash);
    const token = newToken();
    const hash = hashToken(token);
    await this.store.createSession(hash, data, {
      now,
      idleMs: this.timeouts.idleMs,
      ttlMs: this.timeouts.idleMs,
    });
    return { token, hash, data };
  }

  async end(session: ActiveSession): Promise<void> {
    await this.store.deleteSession(session.hash);
  }

  /** Ends one session by its stored hash (an admin's or the user's own revocation). */
  async endByHash(hash: string): Promise<boolean> {
    return this.store.deleteSession(hash);
  }

  /** The user's live sessions, newest first, read without touching them. */
  async listFor(userId: string): Promise<SessionListing[]> {
    const hashes = await this.store.listUserSessions(userId);
    const found = await Promise.all(
      hashes.map(async (hash) => ({ hash, peek: await this.store.peekSession(hash) })),
    );
    return found
      .flatMap(({ hash, peek }) => (peek ? [{ hash, data: peek.session, lastSeen: peek.lastSeen }] : []))
      .sort((a, b) => b.data.authenticatedAt - a.data.authenticatedAt);
  }

  /** Ends every session of a user, on every instance (the store is shared). */
  async endAllFor(userId: string): Promise<number> {
    return this.store.deleteUserSessions(userId);
  }
}
