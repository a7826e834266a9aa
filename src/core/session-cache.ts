import { randomBytes } from 'node:crypto';
import type { Clock } from '../ports/clock.ts';
import type { PubSub } from '../ports/pub-sub.ts';
import type { ActiveSession } from './session-token.ts';

export interface SessionCacheOptions {
  /** How long a session read from the store may be reused (ms); 0 turns the cache off. */
  readonly ttlMs: number;
  /** Most sessions kept; the oldest entry goes first. */
  readonly maxEntries: number;
}

/** The pub/sub channel on which every instance announces ended sessions. */
export const SESSION_ENDS_CHANNEL = 'session-ends';

/** How often the cache proves its invalidation channel works (ms, real time). */
const beatEveryMs = 200;
/** Without a beat of its own back for this long, the cache stops answering (ms, real time). */
const silentAfterMs = 600;

/**
 * How often the cache looks for entries to read again (ms, real time), at most: a fifth of the TTL
 * when that is shorter.
 */
const sweepEveryMaxMs = 100;
/**
 * Below this a sweep is not worth its wake-ups (a TTL under 50 ms): entries are then only ever
 * read again by the request that finds them expired.
 */
const sweepEveryMinMs = 10;
/** The share of the TTL left for a background read to come back before its entry expires. */
const replyMargin = 0.1;

/**
 * Times are numbers from the start (-Infinity for "never"): a field that only ever holds numbers
 * is updated in place by V8, where one that also held `undefined` gets a new heap number at every
 * request, and a busy session's entry keeps each for its ~0.5 s between requests (long enough to
 * reach the old generation).
 */
interface Entry {
  session: ActiveSession;
  /** When the store was last read (and the session touched) for this entry, gateway clock. */
  readAt: number;
  /** When the session was last used, gateway clock; the read that put it here counts as none. */
  usedAt: number;
  /** When it was last handed out to be read again in the background; -Infinity: never. */
  queuedAt: number;
  /** Read again since it was put in line for eviction: it gets a second chance ({@link SessionCache.evictOne}). */
  renewed: boolean;
}

/**
 * A short in-process memory of sessions read from the store, so that a busy session costs one
 * store round trip per TTL instead of one per request. Safety rests on three things:
 * - an entry lives at most `ttlMs` (≤ 1 s by config), so any end lands within that on its own;
 * - ends are announced on {@link SESSION_ENDS_CHANNEL} and drop entries on every instance at once;
 * - the cache answers only while its own heartbeat comes back through the channel, so a lost
 *   channel (Redis down, subscriber dropped) turns it off instead of missing announcements.
 * Reads that raced an end are not stored: every end bumps a generation the read started under.
 */
export class SessionCache {
  private readonly clock: Clock;
  private readonly options: SessionCacheOptions;
  private readonly byToken = new Map<string, Entry>();
  private readonly tokenByHash = new Map<string, string>();
  private readonly beatId = `beat:${randomBytes(9).toString('base64url')}`;
  private channel: PubSub | null = null;
  private beat: NodeJS.Timeout | null = null;
  private lastBeatAt = Number.NEGATIVE_INFINITY;
  private ends = 0;

  constructor(clock: Clock, options: SessionCacheOptions) {
    this.clock = clock;
    this.options = options;
  }

  get enabled(): boolean {
    return this.options.ttlMs > 0;
  }

  /** Subscribes to announced ends and starts the heartbeat; the cache answers from the first beat on. */
  async start(channel: PubSub): Promise<void> {
    if (!this.enabled) return;
    this.channel = channel;
    await channel.subscribe(SESSION_ENDS_CHANNEL, (message) => this.onMessage(message));
    this.beat = setInterval(() => this.sendBeat(), beatEveryMs);
    this.beat.unref();
    this.sendBeat();
  }

  stop(): void {
    if (this.beat) clearInterval(this.beat);
    this.beat = null;
    this.channel = null;
    this.clear();
  }

  /** The store connection dropped: answer nothing until a heartbeat proves the channel again. */
  suspend(): void {
    this.lastBeatAt = Number.NEGATIVE_INFINITY;
    this.clear();
  }

  /** The count of ends seen so far: a read stores its result only if none happened meanwhile. */
  get generation(): number {
    return this.ends;
  }

  /** A fresh cached session for this token, or undefined (read the store). */
  get(token: string, now = this.clock.now()): ActiveSession | undefined {
    const entry = this.byToken.get(token);
    if (!entry) return undefined;
    if (now - entry.readAt >= this.options.ttlMs || now < entry.readAt || !this.isLive()) {
      this.drop(token, entry.session.hash);
      return undefined;
    }
    entry.usedAt = now;
    return entry.session;
  }

  /** How many sessions are held. */
  get size(): number {
    return this.byToken.size;
  }

  /** How often {@link takeDue} is to be called (ms, real time); null: never (off, or a TTL under 50 ms). */
  get sweepEveryMs(): number | null {
    const every = Math.min(sweepEveryMaxMs, this.options.ttlMs / 5);
    return every >= sweepEveryMinMs ? every : null;
  }

  /**
   * The sessions to read again in the background now, so that the requests of a busy session
   * never wait on the store when its entry expires: those used since their last read whose entry
   * will have expired, or come within a tenth of the TTL of it, before the next sweep. Each is
   * handed out once per read (a read that fails is not retried: the entry expires on time and
   * the next request reads itself). Entries past their TTL are dropped on the way, so the cache
   * holds only the sessions read within the last TTL.
   *
   * A busy session is read again about once per TTL, whatever its rhythm: used every half second
   * (1,000 sessions sharing 2,000 requests a second), once every ~0.8–0.9 s rather than behind
   * every request; and a session whose first read was late after a cold start (waiting behind a
   * thousand others) is read again on time, as its rhythm plays no part.
   */
  takeDue(now = this.clock.now()): ActiveSession[] {
    const due: ActiveSession[] = [];
    const every = this.sweepEveryMs;
    if (every === null || !this.isLive()) return due;
    const ttl = this.options.ttlMs;
    const dueAge = ttl - every - ttl * replyMargin;
    // forEach, not `for…of` with `[token, entry]`: that makes an array per entry, a thousand per
    // sweep and ten sweeps a second with 1,000 sessions (measured: ~370 bytes per request at
    // 2,000 req/s). Deleting the entry being visited is allowed in either.
    this.byToken.forEach((entry, token) => {
      const age = now - entry.readAt;
      if (age >= ttl || age < 0) {
        this.drop(token, entry.session.hash);
        return;
      }
      if (age < dueAge || entry.usedAt <= entry.readAt || entry.queuedAt > entry.readAt) return;
      entry.queuedAt = now;
      due.push(entry.session);
    });
    return due;
  }

  /** Drops one entry here (the store no longer has the session); not an announced end. */
  forget(token: string): void {
    const entry = this.byToken.get(token);
    if (entry) this.drop(token, entry.session.hash);
  }

  /** Remembers a session just read from the store at `readAt`, unless an end happened since `generation`. */
  set(session: ActiveSession, readAt: number, generation: number): void {
    if (!this.enabled || generation !== this.ends || !this.isLive()) return;
    if (this.renewEntry(session.token, readAt)) return;
    if (this.byToken.size >= this.options.maxEntries) this.evictOne();
    this.byToken.set(session.token, {
      session,
      readAt,
      usedAt: readAt,
      queuedAt: Number.NEGATIVE_INFINITY,
      renewed: false,
    });
    this.tokenByHash.set(session.hash, session.token);
  }

  /**
   * The store found the cached session still there at `readAt` (and touched it): its entry lives
   * on from then, unless an end happened since `generation`. The cached session, or undefined
   * when it is no longer cached or not renewed.
   */
  renew(token: string, readAt: number, generation: number): ActiveSession | undefined {
    if (!this.enabled || generation !== this.ends || !this.isLive()) return undefined;
    return this.renewEntry(token, readAt);
  }

  /**
   * Renews an entry in place. Its session stays the object requests already hold (a session's
   * data never changes once created), so nothing read from the store reaches the old generation
   * each second, and what is keyed by the object (the assertion signer's tokens) still finds it;
   * the entry object stays too, for the same reason. It keeps its place in line, only marked:
   * moving it to the end at every renewal made the map grow and copy its table every ~1,000
   * renewals (twice a second with 1,000 busy sessions), each copy living long enough to reach
   * the old generation.
   */
  private renewEntry(token: string, readAt: number): ActiveSession | undefined {
    const entry = this.byToken.get(token);
    if (!entry) return undefined;
    entry.readAt = readAt;
    entry.renewed = true;
    return entry.session;
  }

  /**
   * Makes room for one entry: the oldest read goes first. Entries are in line in the order they
   * were added; one read again since (marked at its renewal) goes to the back once, unmarked,
   * rather than out — what moving it at every renewal gave, paid only when the cache is full.
   */
  private evictOne(): void {
    for (const [token, entry] of this.byToken) {
      if (!entry.renewed) {
        this.drop(token, entry.session.hash);
        return;
      }
      entry.renewed = false;
      this.byToken.delete(token);
      this.byToken.set(token, entry);
    }
  }

  /** Forgets one session here, now, and tells every other instance. */
  async endHash(hash: string): Promise<void> {
    this.forgetHash(hash);
    await this.announce(`h:${hash}`);
  }

  /** Forgets a user's sessions here, now, and tells every other instance. */
  async endUser(userId: string): Promise<void> {
    this.forgetUser(userId);
    await this.announce(`u:${userId}`);
  }

  private async announce(message: string): Promise<void> {
    if (!this.channel) return;
    try {
      await this.channel.publish(SESSION_ENDS_CHANNEL, message);
    } catch {
      // The store already holds the end; other instances' entries expire within the TTL, and
      // a store that cannot publish stops the heartbeat, which turns their caches off too.
    }
  }

  private onMessage(message: string): void {
    if (message === this.beatId) {
      if (!this.isLive()) this.clear();
      this.lastBeatAt = performance.now();
      return;
    }
    if (message.startsWith('h:')) this.forgetHash(message.slice(2));
    else if (message.startsWith('u:')) this.forgetUser(message.slice(2));
  }

  private sendBeat(): void {
    this.channel?.publish(SESSION_ENDS_CHANNEL, this.beatId).catch(() => {
      this.lastBeatAt = Number.NEGATIVE_INFINITY;
    });
  }

  private isLive(): boolean {
    return performance.now() - this.lastBeatAt < silentAfterMs;
  }

  private forgetHash(hash: string): void {
    this.ends++;
    const token = this.tokenByHash.get(hash);
    if (token !== undefined) this.drop(token, hash);
  }

  private forgetUser(userId: string): void {
    this.ends++;
    for (const [token, entry] of this.byToken) {
      if (entry.session.data.userId === userId) this.drop(token, entry.session.hash);
    }
  }

  private drop(token: string, hash: string): void {
    this.byToken.delete(token);
    this.tokenByHash.delete(hash);
  }

  private clear(): void {
    this.ends++;
    this.byToken.clear();
    this.tokenByHash.clear();
  }
}
