import type { Clock } from '../ports/clock.ts';
import type { PubSub } from '../ports/pub-sub.ts';
import type { SessionStore, SessionTouch, StoredSession } from '../ports/session-store.ts';
import type { UserRecord } from '../ports/users.ts';
import type { EnvironmentWatch, LoginClient } from './known-environments.ts';
import { SessionCache, type SessionCacheOptions } from './session-cache.ts';
import { hashToken, newToken, type ActiveSession } from './session-token.ts';

export { hashToken, type ActiveSession } from './session-token.ts';

export interface SessionTimeouts {
  readonly idleMs: number;
  readonly absoluteMs: number;
}

/** A session as listed to admins and to its user: never its token. */
export interface SessionListing {
  /** The stored hash: what revocation names, not usable as a cookie. */
  readonly hash: string;
  readonly data: StoredSession;
  readonly lastSeen: number;
}

/** No cache: every read is a store round trip. */
const noCache: SessionCacheOptions = { ttlMs: 0, maxEntries: 1 };

/** Most sessions re-read in one store call; more due at once go in several. */
const renewBatchMax = 256;

/** A store read under way: the cookie value, its hash, and the cache generation it began under. */
interface PendingRead {
  readonly token: string;
  readonly hash: string;
  readonly generation: number;
}

/**
 * Sessions: creation, reading with idle and absolute timeouts, regeneration and revocation.
 * Reads may be served from a short in-process cache ({@link SessionCache}); every end goes
 * through here, so it drops the cached copy on this instance at once and announces it to
 * the others (over the store's pub/sub).
 */
export class SessionService {
  private readonly store: SessionStore & PubSub;
  private readonly clock: Clock;
  private readonly timeouts: SessionTimeouts;
  private readonly cache: SessionCache;
  /** Store reads under way, by token, with the cache generation each began under. */
  private readonly reading = new Map<string, { generation: number; result: Promise<ActiveSession | null> }>();
  /** Looks for cached sessions to read again before they expire ({@link renewDue}). */
  private sweep: NodeJS.Timeout | null = null;

  /** A background read (refresh ahead of expiry) failed: no request waits on it, so it is only reported. */
  private readonly onRefreshFailed: (error: unknown) => void;
  /** Known environments: a login from a new one is marked (rules' `newdevice=`); null: never marked. */
  private readonly environments: EnvironmentWatch | null;

  constructor(
    store: SessionStore & PubSub,
    clock: Clock,
    timeouts: SessionTimeouts,
    cache: SessionCacheOptions = noCache,
    onRefreshFailed: (error: unknown) => void = () => undefined,
    environments: EnvironmentWatch | null = null,
  ) {
    this.store = store;
    this.clock = clock;
    this.timeouts = timeouts;
    this.cache = new SessionCache(clock, cache);
    this.onRefreshFailed = onRefreshFailed;
    this.environments = environments;
  }

  /** Starts listening for ends announced by other instances (the cache answers only after this). */
  async start(): Promise<void> {
    await this.cache.start(this.store);
    const every = this.cache.sweepEveryMs;
    if (every === null || this.sweep !== null) return;
    this.sweep = setInterval(() => this.renewDue(), every);
    this.sweep.unref();
  }

  stop(): void {
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = null;
    this.cache.stop();
  }

  /** The store's connection dropped: stop answering from the cache until it is back (fail closed). */
  suspendCache(): void {
    this.cache.suspend();
  }

  /**
   * The session behind a cookie value when the cache holds it fresh (no I/O); null when the
   * value cannot be a session; undefined when the store must be asked ({@link read}).
   */
  readCached(token: string | undefined): ActiveSession | null | undefined {
    if (!token || token.length !== 43) return null;
    const now = this.clock.now();
    const cached = this.cache.get(token, now);
    // The absolute timeout holds for cached sessions too; the store read then deletes it.
    if (!cached || now - cached.data.createdAt >= this.timeouts.absoluteMs) return undefined;
    return cached;
  }

  /**
   * Reads again, in the background and in batches, the cached sessions that are in use and due
   * to expire before the next sweep ({@link SessionCache.takeDue}): one store call per 256
   * sessions, so that 1,000 busy sessions cost about ten round trips a second rather than 2,000,
   * and no request waits on them (a miss still reads on its own at once). Each call checks and
   * touches every session as a single read does; a failed call is reported once and renews nothing.
   */
  private renewDue(): void {
    const now = this.clock.now();
    const due = this.cache.takeDue(now);
    for (let start = 0; start < due.length; start += renewBatchMax)
      this.renewBatch(due.slice(start, start + renewBatchMax), now);
  }

  private renewBatch(batch: readonly ActiveSession[], now: number): void {
    const generation = this.cache.generation;
    this.store
      .touchSessions(
        batch.map((session) => session.hash),
        this.touchAt(now),
      )
      .then((live) =>
        Promise.all(
          batch.map((session, i) => this.settleRenewal(session, live[i] === true, now, generation)),
        ),
      )
      .catch((error: unknown) => this.onRefreshFailed(error));
  }

  /**
   * What a background re-read found: the cached entry lives on (only if no session ended since it
   * was sent); a session gone from the store leaves the cache, one past its absolute timeout ends.
   */
  private async settleRenewal(
    sent: ActiveSession,
    live: boolean,
    now: number,
    generation: number,
  ): Promise<void> {
    if (!live) {
      this.cache.forget(sent.token);
      return;
    }
    const session = this.cache.renew(sent.token, now, generation);
    if (session && now - session.data.createdAt >= this.timeouts.absoluteMs) await this.endByHash(sent.hash);
  }

  /**
   * Reads the session behind a cookie value: from the cache when fresh, else in one store
   * round trip that also records the touch (so the idle timer is renewed at least once per
   * cache TTL while the session is used). Null when none or expired.
   */
  async read(token: string | undefined): Promise<ActiveSession | null> {
    const cached = this.readCached(token);
    if (cached !== undefined) return cached;
    const value = token as string;
    if (!this.cache.enabled) return this.readStore(value, this.cache.generation);
    return this.sharedRead(value);
  }

  /**
   * A store read that requests of one session share: many miss together when its entry
   * expires. A request joins a read under way only if no session ended (revocation, logout,
   * lock) since that read began.
   */
  private sharedRead(token: string): Promise<ActiveSession | null> {
    const generation = this.cache.generation;
    const inFlight = this.reading.get(token);
    if (inFlight && inFlight.generation === generation) return inFlight.result;
    const result = this.readStore(token, generation);
    const entry = { generation, result };
    this.reading.set(token, entry);
    const forget = () => {
      if (this.reading.get(token) === entry) this.reading.delete(token);
    };
    result.then(forget, forget);
    return result;
  }

  private async readStore(token: string, generation: number): Promise<ActiveSession | null> {
    const hash = hashToken(token);
    const now = this.clock.now();
    const data = await this.store.touchSession(hash, this.touchAt(now));
    return this.settle({ token, hash, generation }, data, now);
  }

  private touchAt(now: number): SessionTouch {
    return { now, idleMs: this.timeouts.idleMs, ttlMs: this.timeouts.idleMs };
  }

  /**
   * What a store read (a miss) found: cached only if no session ended since `read.generation`; a
   * session gone or past its absolute timeout leaves the cache (a batch's answers: settleRenewal).
   */
  private async settle(
    read: PendingRead,
    data: StoredSession | null,
    now: number,
  ): Promise<ActiveSession | null> {
    if (!data) {
      // Gone from the store (expired, or deleted without an announcement): not from here either.
      this.cache.forget(read.token);
      return null;
    }
    if (now - data.createdAt >= this.timeouts.absoluteMs) {
      await this.endByHash(read.hash);
      return null;
    }
    const session = { token: read.token, hash: read.hash, data };
    this.cache.set(session, now, read.generation);
    return session;
  }

  /**
   * Records a newly proven method under a NEW session ID (the old one is deleted), so a
   * token planted before login is worthless after it. A different user starts afresh.
   */
  async prove(
    previous: ActiveSession | null,
    user: Pick<UserRecord, 'id' | 'groups' | 'revision'>,
    method: string,
    client: LoginClient,
    amr?: readonly string[],
  ): Promise<ActiveSession> {
    const now = this.clock.now();
    const carried = previous && previous.data.userId === user.id ? previous.data : null;
    const proven = carried ? [...carried.proven.filter((m) => m !== method), method] : [method];
    const evidence = provenAmr(carried?.amr, method, amr);
    const newEnvironment = await this.isNewEnvironment(carried, user.id, method, client);
    const data: StoredSession = {
      ...(newEnvironment ? { newEnvironment } : {}),
      ...(evidence ? { amr: evidence } : {}),
      userId: user.id,
      groups: [...user.groups],
      proven,
      // When each method was proven, for rules' `reauth=`; a proof made again moves only its own time.
      provenAt: { ...carried?.provenAt, [method]: now },
      createdAt: carried?.createdAt ?? now,
      authenticatedAt: now,
      ip: client.ip,
      userAgent: client.userAgent.slice(0, 256),
      // Proofs carried from before a change that ends sessions keep the session below it.
      revision: Math.min(user.revision, carried ? (carried.revision ?? 0) : user.revision),
    };
    if (previous) await this.endByHash(previous.hash);
    const token = newToken();
    const hash = hashToken(token);
    await this.store.createSession(hash, data, {
      now,
      idleMs: this.timeouts.idleMs,
      ttlMs: this.timeouts.idleMs,
      indexTtlMs: this.timeouts.absoluteMs,
    });
    return { token, hash, data };
  }

  /**
   * Whether the session is a login from a browser and address new for the user, judged once when
   * the login starts (only while some rule asks) and kept for the session. Every login's first
   * proof besides the password makes its pair known, here and nowhere else, so the judgement
   * always comes before the pair is remembered (a password alone never makes a place known).
   */
  private async isNewEnvironment(
    carried: StoredSession | null,
    userId: string,
    method: string,
    client: LoginClient,
  ): Promise<boolean> {
    if (!this.environments) return false;
    const isNew = carried
      ? carried.newEnvironment === true
      : this.environments.isEnabled() && !(await this.environments.isKnown(userId, client));
    const firstStrongProof = method !== 'password' && !carried?.proven.some((m) => m !== 'password');
    if (firstStrongProof) await this.environments.completed(userId, client, isNew);
    return isNew;
  }

  /** Whether a session is still live, read without touching it (its idle timer is not renewed). */
  async isLive(hash: string): Promise<boolean> {
    const found = await this.store.peekSession(hash);
    if (!found) return false;
    const now = this.clock.now();
    return (
      now - found.lastSeen < this.timeouts.idleMs && now - found.session.createdAt < this.timeouts.absoluteMs
    );
  }

  async end(session: ActiveSession): Promise<void> {
    await this.endByHash(session.hash);
  }

  /** Ends one session by its stored hash (an admin's or the user's own revocation), on every instance. */
  async endByHash(hash: string): Promise<boolean> {
    const existed = await this.store.deleteSession(hash);
    await this.cache.endHash(hash);
    return existed;
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

  /**
   * Ends the user's sessions proven below the revision `below` (every one when absent), on every
   * instance: the store is shared, and each instance's cache forgets the user's sessions.
   */
  async endAllFor(userId: string, below?: number): Promise<number> {
    const ended = await this.store.deleteUserSessions(userId, below);
    await this.cache.endUser(userId);
    return ended;
  }
}

/** The proofs' own `amr` values: the carried ones, with `method`'s replaced by this proof's (or dropped). */
function provenAmr(
  carried: StoredSession['amr'],
  method: string,
  amr: readonly string[] | undefined,
): StoredSession['amr'] {
  const entries = Object.entries(carried ?? {}).filter(([name]) => name !== method);
  if (amr) entries.push([method, [...amr]]);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
