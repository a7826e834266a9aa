import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SessionService } from './session-service.ts';
import type { AuditLog } from '../ports/audit.ts';
import { browserLabel } from '../../views/static/push/browser-label.js';

/** A live session as a page shows it: never its token, nor even its stored hash. */
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
  /** The session the page is being used from right now. */
  readonly current: boolean;
}

/** Who acts, for the audit row. */
export interface SessionActor {
  readonly id: string;
  readonly ip: string;
  readonly userAgent: string;
}

/** The audit events one caller records: the console's, or the self-service page's. */
export interface SessionAuditEvents {
  /** One session ended. */
  readonly revoke: string;
  /** All of a user's sessions (or all but the current one) ended. */
  readonly revokeAll: string;
}

/** What asking to end one session did. */
export type RevokeOutcome = 'ended' | 'gone' | 'current';

/**
 * Lists and ends one user's sessions by display ID, for the admin console and for the user's own
 * page alike: always through SessionService (so every instance refuses the session at once),
 * always audited. A display ID is looked up among that user's sessions only, so an ID from
 * anywhere else (another user's page, a forged form) names nothing.
 */
export class SessionAdmin {
  private readonly deps: {
    sessions: SessionService;
    audit: AuditLog;
    secret: string;
    events: SessionAuditEvents;
  };

  constructor(deps: Omit<SessionAdmin['deps'], 'events'> & { readonly events?: SessionAuditEvents }) {
    this.deps = {
      ...deps,
      events: deps.events ?? { revoke: 'session.revoke', revokeAll: 'session.revoke_all' },
    };
  }

  /** 96 bits of HMAC: enough to tell sessions apart, nothing an attacker could replay. */
  displayId(hash: string): string {
    return createHmac('sha256', this.deps.secret)
      .update(`sekisho session display id\u0000${hash}`)
      .digest('base64url')
      .slice(0, 16);
  }

  /** The user's live sessions, newest first; `currentHash` marks the one in use. */
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

  /**
   * Ends the user's session with this display ID: 'gone' when it is no longer (or never was)
   * theirs; 'current' (nothing done) when it is the session `keep`, which must be logged out instead.
   */
  async revoke(
    userId: string,
    displayId: string,
    actor: SessionActor,
    options: { keep?: string | null } = {},
  ): Promise<RevokeOutcome> {
    const listed = await this.deps.sessions.listFor(userId);
    const match = listed.find(({ hash }) => sameId(this.displayId(hash), displayId));
    if (match && match.hash === options.keep) return 'current';
    const ended = match ? await this.deps.sessions.endByHash(match.hash) : false;
    await this.record(this.deps.events.revoke, userId, actor, {
      session: displayId,
      ended,
      ...(match ? { ip: match.data.ip } : {}),
    });
    return ended ? 'ended' : 'gone';
  }

  /** Ends every session of the user on every instance, or every one but `keep`; returns how many. */
  async revokeAll(
    userId: string,
    actor: SessionActor,
    options: { keep?: string | null } = {},
  ): Promise<number> {
    const count = options.keep
      ? await this.endOthers(userId, options.keep)
      : await this.deps.sessions.endAllFor(userId);
    await this.record(this.deps.events.revokeAll, userId, actor, { count });
    return count;
  }

  private async endOthers(userId: string, keep: string): Promise<number> {
    const others = (await this.deps.sessions.listFor(userId)).filter(({ hash }) => hash !== keep);
    const ended = await Promise.all(others.map(({ hash }) => this.deps.sessions.endByHash(hash)));
    return ended.filter(Boolean).length;
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
