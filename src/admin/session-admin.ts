import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SessionService } from '../core/session-service.ts';
import type { AuditLog } from '../ports/audit.ts';
import { browserLabel } from '../push/browser-label.ts';

/** A live session as the console shows it: never its token, nor even its stored hash. */
export interface SessionRow {
  /** A keyed digest of the stored hash: stable, short, and useless as a cookie or a store key. */
  readonly id: string;
  readonly ip: string;
  readonly userAgent: string;
  readonly browser: string;
  readonly proven: readonly string[];
  readonly createdAt: number;
  readonly authenticatedAt: number;
  readonly lastSeen: number;
  /** The session the admin is using right now. */
  readonly current: boolean;
}

/** Who acts, for the audit row. */
export interface SessionActor {
  readonly id: string;
  readonly ip: string;
  readonly userAgent: string;
}

/** Lists and ends users' sessions for the console, always through SessionService, always audited. */
export class SessionAdmin {
  private readonly deps: { sessions: SessionService; audit: AuditLog; secret: string };

  constructor(deps: SessionAdmin['deps']) {
    this.deps = deps;
  }

  /** 96 bits of HMAC: enough to tell sessions apart, nothing an attacker could replay. */
  displayId(hash: string): string {
    return createHmac('sha256', this.deps.secret)
      .update(`sekisho admin session id\u0000${hash}`)
      .digest('base64url')
      .slice(0, 16);
  }

  async list(userId: string, currentHash: string | null): Promise<SessionRow[]> {
    const listed = await this.deps.sessions.listFor(userId);
    return listed.map(({ hash, data, lastSeen }) => ({
      id: this.displayId(hash),
      ip: data.ip,
      userAgent: data.userAgent,
      browser: browserLabel(data.userAgent),
      proven: data.proven,
      createdAt: data.createdAt,
      authenticatedAt: data.authenticatedAt,
      lastSeen,
      current: hash === currentHash,
    }));
  }

  /** Ends the user's session with this display ID; false when it is gone (or never was theirs). */
  async revoke(userId: string, displayId: string, actor: SessionActor): Promise<boolean> {
    const listed = await this.deps.sessions.listFor(userId);
    const match = listed.find(({ hash }) => sameId(this.displayId(hash), displayId));
    const ended = match ? await this.deps.sessions.endByHash(match.hash) : false;
    await this.record('session.revoke', userId, actor, { session: displayId, ended });
    return ended;
  }

  /** Ends every session of the user, on every instance. */
  async revokeAll(userId: string, actor: SessionActor): Promise<number> {
    const count = await this.deps.sessions.endAllFor(userId);
    await this.record('session.revoke_all', userId, actor, { count });
    return count;
  }

  private async record(event: string, userId: string, actor: SessionActor, detail: Record<string, unknown>) {
    await this.deps.audit.record({
      event,
      outcome: 'success',
      userId,
      actor: actor.id,
      ip: actor.ip,
      userAgent: actor.userAgent,
      detail,
    });
  }
}

function sameId(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
