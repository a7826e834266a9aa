import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ChangeFeed } from '../ports/audit.ts';
import type { UserRecord, UserRepository } from '../ports/users.ts';
import type { RuleEngine } from './rule-engine.ts';
import type { SessionService } from './session-service.ts';

/**
 * Applies rule and user changes made by the CLI, the admin console or another instance:
 * polls the change feed in Postgres (the source of truth) every interval, so every running
 * gateway converges within one interval without a restart.
 */
export class ChangeWatcher {
  private lastSeq = 0;
  /** What sessions depend on, per user: groups and password, as last seen. */
  private readonly known = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** The run that starts when the one in flight ends, for the calls made during it. */
  private following: Promise<void> | null = null;
  private readonly deps: {
    feed: ChangeFeed;
    rules: RuleEngine;
    users: UserRepository;
    sessions: SessionService;
    log: Logger;
  };

  constructor(deps: ChangeWatcher['deps']) {
    this.deps = deps;
  }

  /** Remembers where the feed stands, then polls every `intervalMs`. */
  async start(intervalMs: number): Promise<void> {
    this.lastSeq = await this.deps.feed.latest();
    for (const user of await this.deps.users.list()) this.known.set(user.id, fingerprint(user));
    this.timer = setInterval(() => void this.poll(), intervalMs);
    this.timer.unref();
  }

  stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return this.following ?? this.running ?? Promise.resolve();
  }

  /**
   * Applies every change made before the call. A run already in flight may have read the feed
   * before the caller's change was written, so a call made during one waits for it and then for
   * one more run, which every call made meanwhile shares.
   */
  poll(): Promise<void> {
    if (this.running) {
      this.following ??= this.running.then(() => {
        this.following = null;
        return this.poll();
      });
      return this.following;
    }
    this.running = this.apply().finally(() => (this.running = null));
    return this.running;
  }

  private async apply(): Promise<void> {
    try {
      const changes = await this.deps.feed.since(this.lastSeq);
      if (changes.length === 0) return;
      if (changes.some((c) => c.kind === 'rules')) await this.reloadRules();
      const subjects = (kind: string) =>
        new Set(changes.filter((c) => c.kind === kind && c.subject).map((c) => c.subject as string));
      const revoked = subjects('revoke');
      for (const userId of subjects('user')) if (!revoked.has(userId)) await this.checkUser(userId, false);
      for (const userId of revoked) await this.checkUser(userId, true);
      this.lastSeq = changes[changes.length - 1]?.seq ?? this.lastSeq;
    } catch (error) {
      this.deps.log.warn({ err: error }, 'change feed poll failed; will retry');
    }
  }

  private async reloadRules(): Promise<void> {
    const result = await this.deps.rules.reload();
    if (result.ok) this.deps.log.info({ rules: result.count }, 'access rules reloaded');
    else
      this.deps.log.error(
        { errors: result.errors },
        'access rules not reloaded; the previous rules stay in force',
      );
  }

  /**
   * Sessions carry a snapshot of the user's groups, so a lock, a deletion, a group change or
   * a new password ends them; the next login sees the user as they are now. Other changes
   * (name, phone) leave sessions alone. A `revoke` change raised the user's revision in its own
   * transaction: the sessions proven below it end, so a login made after the change (with the
   * new password, after an unlock) lives on however late this instance sees it. A deleted or
   * locked user, or groups or password seen changed without a `revoke`, lose every session.
   */
  private async checkUser(userId: string, revoke: boolean): Promise<void> {
    const user = await this.deps.users.find(userId);
    const before = this.known.get(userId);
    const now = user ? fingerprint(user) : null;
    if (revoke || !user || user.locked || (before !== undefined && before !== now)) {
      const below = revoke && user && !user.locked ? user.revision : undefined;
      const ended = await this.deps.sessions.endAllFor(userId, below);
      const reason = !user
        ? 'deleted'
        : user.locked
          ? 'locked'
          : revoke
            ? 'locked, or groups or password changed'
            : 'groups or password changed';
      this.deps.log.info({ user: userId, sessions: ended, reason }, 'user sessions ended');
    }
    // Remembered only once applied: a failed run is retried with the same comparison.
    if (now === null) this.known.delete(userId);
    else this.known.set(userId, now);
  }
}

/** A digest, so the watcher does not keep a second in-memory copy of every password hash. */
function fingerprint(user: UserRecord): string {
  return createHash('sha256')
    .update(JSON.stringify([[...user.groups].sort(), user.passwordHash]))
    .digest('base64url');
}
