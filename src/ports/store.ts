import type { ProvenIdentity } from '../domain/rules/types.ts';

/**
 * The fast, shared, expiring state of the gateway: sessions, counters and one-time
 * challenges. Redis in production, an in-process map in the demo; both pass one contract
 * suite (test/store-contract.ts).
 */

/** A session as kept in the store. The ID itself is never stored, only its hash. */
export interface StoredSession extends ProvenIdentity {
  /** When the session was first created (ms); the absolute timeout runs from here. */
  readonly createdAt: number;
  /** When the last method was proven (ms). */
  readonly authenticatedAt: number;
  readonly ip: string;
  readonly userAgent: string;
}

export interface SessionTouch {
  /** Now (ms, from the gateway's clock). */
  readonly now: number;
  /** Idle timeout (ms): a session unseen for longer is deleted and not returned. */
  readonly idleMs: number;
  /** How long the store may keep the record after this touch (ms). */
  readonly ttlMs: number;
  /**
   * createSession only: how long the user's index of sessions must live at least (ms) —
   * the absolute timeout, since a session is touched past its idle window while used and
   * every "end all of this user's sessions" reads the index.
   */
  readonly indexTtlMs?: number;
}

export interface ChallengeAttempt {
  /** `ok`: the answer matched and the challenge is consumed; `wrong`: attempts left; `dead`: gone. */
  readonly outcome: 'ok' | 'wrong' | 'dead';
  readonly attemptsLeft: number;
}

export interface Store {
  /** Saves a new session under the hash of its ID and indexes it under its user. */
  createSession(hash: string, session: StoredSession, touch: SessionTouch): Promise<void>;
  /**
   * Reads a session and records that it was seen, in one round trip. Returns null when it
   * does not exist or has been idle longer than `touch.idleMs` (it is deleted then).
   */
  touchSession(hash: string, touch: SessionTouch): Promise<StoredSession | null>;
  /** Reads a session without touching it (for listings): its data and when it was last seen. */
  peekSession(hash: string): Promise<{ session: StoredSession; lastSeen: number } | null>;
  /** Deletes one session; true when it existed. */
  deleteSession(hash: string): Promise<boolean>;
  /** Hashes of the user's sessions that still exist. */
  listUserSessions(userId: string): Promise<string[]>;
  /** Deletes every session of the user; returns how many existed. */
  deleteUserSessions(userId: string): Promise<number>;

  /** Adds one to a fixed-window counter and returns the new count; the window starts at the first hit. */
  hit(key: string, windowMs: number): Promise<number>;
  /** Reads a counter without changing it (0 when absent). */
  peek(key: string): Promise<number>;
  /** Deletes counters. */
  reset(...keys: string[]): Promise<void>;

  /** Stores a value with an expiry. */
  put(key: string, value: string, ttlMs: number): Promise<void>;
  /** Stores a value only when the key is absent; true when stored. */
  putIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Reads a stored value (null when absent or expired). */
  read(key: string): Promise<string | null>;
  /** Reads and deletes a value atomically (single use). */
  take(key: string): Promise<string | null>;
  /** Deletes values. */
  remove(...keys: string[]): Promise<void>;

  /**
   * Opens a challenge: `answerHash` is what a correct answer hashes to; `maxAttempts` wrong
   * answers kill it. Replaces any earlier challenge under the same key.
   */
  openChallenge(key: string, answerHash: string, maxAttempts: number, ttlMs: number): Promise<void>;
  /**
   * Checks an answer atomically: a match consumes the challenge (single use); a miss counts
   * one attempt and deletes the challenge when none are left.
   */
  attemptChallenge(key: string, answerHash: string): Promise<ChallengeAttempt>;

  /** Adds members to a set and (re)sets the whole set's expiry. */
  addToSet(key: string, ttlMs: number, ...members: string[]): Promise<void>;
  /** The members of a set, in no particular order (empty when absent or expired). */
  setMembers(key: string): Promise<string[]>;
  /** Whether the set holds the member. */
  isSetMember(key: string, member: string): Promise<boolean>;
  /** Removes members from a set. */
  removeFromSet(key: string, ...members: string[]): Promise<void>;

  /** Sends a message to every instance subscribed to the channel (this one included). */
  publish(channel: string, message: string): Promise<void>;
  /** Receives the channel's messages until close(). */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<void>;

  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
