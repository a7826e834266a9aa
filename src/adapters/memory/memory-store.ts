import { EventEmitter } from 'node:events';
import { timingSafeEqual } from 'node:crypto';
import type {
  ChallengeAttempt,
  PeekedSession,
  SessionTouch,
  Store,
  StoredSession,
} from '../../ports/store.ts';
import type { Clock } from '../../ports/clock.ts';

interface Entry {
  value: string;
  expiresAt: number;
}

interface SessionEntry {
  data: StoredSession;
  seen: number;
  expiresAt: number;
}

interface SetEntry {
  members: Set<string>;
  expiresAt: number;
}

interface Challenge {
  answerHash: string;
  attemptsLeft: number;
  expiresAt: number;
}

/**
 * The in-process store of the demo: every port of the store, with the same behaviour as the
 * Redis store for one process. Expiry follows the injected clock, so tests can move time.
 * Values and counters share one map, as they share one key space in Redis.
 */
export class MemoryStore implements Store {
  readonly kind = 'memory';
  private readonly values = new Map<string, Entry>();
  private readonly sessions = new Map<string, SessionEntry>();
  private readonly userIndex = new Map<string, Set<string>>();
  private readonly challenges = new Map<string, Challenge>();
  private readonly sets = new Map<string, SetEntry>();
  private readonly bus = new EventEmitter();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
    this.bus.setMaxListeners(0);
  }

  // SessionStore

  async createSession(hash: string, session: StoredSession, touch: SessionTouch): Promise<void> {
    this.sessions.set(hash, { data: session, seen: touch.now, expiresAt: this.clock.now() + touch.ttlMs });
    const index = this.userIndex.get(session.userId) ?? new Set<string>();
    index.add(hash);
    this.userIndex.set(session.userId, index);
  }

  async touchSession(hash: string, touch: SessionTouch): Promise<StoredSession | null> {
    const entry = this.liveSession(hash);
    if (!entry) return null;
    if (touch.now - entry.seen > touch.idleMs) {
      this.dropSession(hash);
      return null;
    }
    entry.seen = touch.now;
    entry.expiresAt = this.clock.now() + touch.ttlMs;
    return entry.data;
  }

  async touchSessions(hashes: readonly string[], touch: SessionTouch): Promise<boolean[]> {
    return Promise.all(hashes.map(async (hash) => (await this.touchSession(hash, touch)) !== null));
  }

  async peekSession(hash: string): Promise<PeekedSession | null> {
    const entry = this.liveSession(hash);
    return entry ? { session: entry.data, lastSeen: entry.seen } : null;
  }

  async deleteSession(hash: string): Promise<boolean> {
    return this.dropSession(hash);
  }

  async listUserSessions(userId: string): Promise<string[]> {
    return [...(this.userIndex.get(userId) ?? [])].filter((hash) => this.liveSession(hash));
  }

  async deleteUserSessions(userId: string, below = Infinity): Promise<number> {
    const hashes = (await this.listUserSessions(userId)).filter(
      (hash) => (this.liveSession(hash)?.data.revision ?? 0) < below,
    );
    for (const hash of hashes) this.dropSession(hash);
    if ((await this.listUserSessions(userId)).length === 0) this.userIndex.delete(userId);
    return hashes.length;
  }

  // RateCounter

  async hit(key: string, windowMs: number): Promise<number> {
    const current = this.liveValue(key);
    const count = current ? Number(current.value) + 1 : 1;
    const expiresAt = current ? current.expiresAt : this.clock.now() + windowMs;
    this.values.set(key, { value: String(count), expiresAt });
    return count;
  }

  async peek(key: string): Promise<number> {
    return Number(this.liveValue(key)?.value ?? 0);
  }

  async reset(...keys: string[]): Promise<void> {
    for (const key of keys) this.values.delete(key);
  }

  // KeyValueStore

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    this.values.set(key, { value, expiresAt: this.clock.now() + ttlMs });
  }

  async putIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.liveValue(key)) return false;
    await this.put(key, value, ttlMs);
    return true;
  }

  async read(key: string): Promise<string | null> {
    return this.liveValue(key)?.value ?? null;
  }

  async take(key: string): Promise<string | null> {
    const value = this.liveValue(key)?.value ?? null;
    this.values.delete(key);
    return value;
  }

  async remove(...keys: string[]): Promise<void> {
    for (const key of keys) this.values.delete(key);
  }

  // ChallengeStore

  async openChallenge(key: string, answerHash: string, maxAttempts: number, ttlMs: number): Promise<void> {
    this.challenges.set(key, { answerHash, attemptsLeft: maxAttempts, expiresAt: this.clock.now() + ttlMs });
  }

  async attemptChallenge(key: string, answerHash: string): Promise<ChallengeAttempt> {
    const challenge = this.challenges.get(key);
    if (!challenge || challenge.expiresAt <= this.clock.now()) {
      this.challenges.delete(key);
      return { outcome: 'dead', attemptsLeft: 0 };
    }
    if (sameText(challenge.answerHash, answerHash)) {
      this.challenges.delete(key);
      return { outcome: 'ok', attemptsLeft: challenge.attemptsLeft };
    }
    challenge.attemptsLeft -= 1;
    if (challenge.attemptsLeft > 0) return { outcome: 'wrong', attemptsLeft: challenge.attemptsLeft };
    this.challenges.delete(key);
    return { outcome: 'dead', attemptsLeft: 0 };
  }

  async discardChallenge(key: string): Promise<void> {
    this.challenges.delete(key);
  }

  // SetStore

  async addToSet(key: string, ttlMs: number, ...members: string[]): Promise<void> {
    const entry = this.liveSet(key) ?? { members: new Set<string>(), expiresAt: 0 };
    for (const member of members) entry.members.add(member);
    entry.expiresAt = this.clock.now() + ttlMs;
    this.sets.set(key, entry);
  }

  async setMembers(key: string): Promise<string[]> {
    return [...(this.liveSet(key)?.members ?? [])];
  }

  async isSetMember(key: string, member: string): Promise<boolean> {
    return this.liveSet(key)?.members.has(member) ?? false;
  }

  async removeFromSet(key: string, ...members: string[]): Promise<void> {
    const entry = this.liveSet(key);
    for (const member of members) entry?.members.delete(member);
  }

  // PubSub

  async publish(channel: string, message: string): Promise<void> {
    queueMicrotask(() => this.bus.emit(channel, message));
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<void> {
    this.bus.on(channel, onMessage);
  }

  // StoreConnection: nothing to reach, lose or share.

  async ping(): Promise<void> {}

  onConnectionLost(): void {}

  onError(): void {}

  rateLimitBackend(): null {
    return null;
  }

  async close(): Promise<void> {
    this.bus.removeAllListeners();
  }

  private liveValue(key: string): Entry | undefined {
    const entry = this.values.get(key);
    if (entry && entry.expiresAt <= this.clock.now()) {
      this.values.delete(key);
      return undefined;
    }
    return entry;
  }

  private liveSet(key: string): SetEntry | undefined {
    const entry = this.sets.get(key);
    if (entry && entry.expiresAt <= this.clock.now()) {
      this.sets.delete(key);
      return undefined;
    }
    return entry;
  }

  private liveSession(hash: string): SessionEntry | undefined {
    const entry = this.sessions.get(hash);
    if (entry && entry.expiresAt <= this.clock.now()) {
      this.dropSession(hash);
      return undefined;
    }
    return entry;
  }

  private dropSession(hash: string): boolean {
    const entry = this.sessions.get(hash);
    if (!entry) return false;
    this.sessions.delete(hash);
    this.userIndex.get(entry.data.userId)?.delete(hash);
    return true;
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
