import type { ProvenIdentity } from '../domain/rules/types.ts';

/** A session as kept in the store. The ID itself is never stored, only its hash. */
export interface StoredSession extends ProvenIdentity {
  /** When the session was first created (ms); the absolute timeout runs from here. */
  readonly createdAt: number;
  /** When the last method was proven (ms). */
  readonly authenticatedAt: number;
  /** The client address the session was proven from. */
  readonly ip: string;
  /** The browser's User-Agent when the session was proven (at most 256 characters). */
  readonly userAgent: string;
  /**
   * RFC 8176 values a proof gave in place of its method's usual ones, by method: a passkey records
   * `hwk` (bound to one device) or `swk` (synced). Absent for methods that always mean the same.
   */
  readonly amr?: Readonly<Record<string, readonly string[]>>;
  /**
   * The user's revision when the session's proofs were made (the lowest, when carried over from
   * an earlier session): a change that ends sessions ends those below the user's new revision.
   * Absent in sessions from before it was kept (counted as 0).
   */
  readonly revision?: number;
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

/** A session read without touching it. */
export interface PeekedSession {
  /** What the session has proven, and for whom. */
  readonly session: StoredSession;
  /** When it was last touched (ms, the gateway's clock). */
  readonly lastSeen: number;
}

/** Sessions under the hash of their ID, indexed by user so that all of a user's can be ended. */
export interface SessionStore {
  /** Saves a new session under the hash of its ID and indexes it under its user. */
  createSession(hash: string, session: StoredSession, touch: SessionTouch): Promise<void>;
  /**
   * Reads a session and records that it was seen, in one round trip. Returns null when it
   * does not exist or has been idle longer than `touch.idleMs` (it is deleted then).
   */
  touchSession(hash: string, touch: SessionTouch): Promise<StoredSession | null>;
  /**
   * Touches many sessions in one round trip, each exactly as {@link touchSession} would, but
   * answers only whether each is still there: true where it exists and was touched, false where
   * it does not exist or was idle too long (deleted then), in the order of `hashes`. A session's
   * data never changes once created (a new proof makes a new session), so whoever holds it needs
   * no second copy. Fails as a whole.
   */
  touchSessions(hashes: readonly string[], touch: SessionTouch): Promise<boolean[]>;
  /** Reads a session without touching it (for listings): its data and when it was last seen. */
  peekSession(hash: string): Promise<PeekedSession | null>;
  /** Deletes one session; true when it existed. */
  deleteSession(hash: string): Promise<boolean>;
  /** Hashes of the user's sessions that still exist. */
  listUserSessions(userId: string): Promise<string[]>;
  /**
   * Deletes the user's sessions whose revision is below `below` (every one when it is absent);
   * returns how many it deleted.
   */
  deleteUserSessions(userId: string, below?: number): Promise<number>;
}
