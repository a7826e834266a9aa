import type { ActiveSession } from '../core/session-service.ts';

/** What reading a request's session came to: the session (or none), or a store that failed. */
export type SessionOutcome =
  | { readonly ok: true; readonly session: ActiveSession | null }
  | { readonly ok: false; readonly error: unknown };

/** The session service as the pipeline reads it: the in-process cache, then the store. */
export interface SessionSource {
  /** Fresh from the cache (no I/O); null: the value cannot be a session; undefined: ask the store. */
  readCached(token: string | undefined): ActiveSession | null | undefined;
  read(token: string | undefined): Promise<ActiveSession | null>;
}

type Done = (outcome: SessionOutcome) => void;

/**
 * Reads the session behind a cookie value the same way for both proxy carriers, failing
 * closed the same way:
 * - a cache hit is confirmed after the rest of this event-loop turn's I/O, so a store
 *   connection lost in that turn turns the cache off first and the request then goes to the
 *   store (and fails closed) instead of being served from a cache that may be stale;
 * - a store that fails is reported once (`onStoreError`: metric, readiness, log) and the
 *   request is answered 503 by whichever carrier holds it, without a second read.
 */
export class SessionReader {
  private readonly sessions: SessionSource;
  private readonly onStoreError: (error: unknown) => void;
  /**
   * Cache hits waiting for the end of this turn's I/O: the first `waiting` slots of two arrays in
   * step, their cookie values and callbacks. The arrays are kept from turn to turn, the pair in
   * use and a spare that takes over while a turn's hits are answered: new arrays every turn
   * cost a backing store each (~150 bytes) for what may be one request.
   */
  private tokens: (string | undefined)[] = [];
  private dones: (Done | undefined)[] = [];
  private waiting = 0;
  private spareTokens: (string | undefined)[] = [];
  private spareDones: (Done | undefined)[] = [];
  private readonly confirmHitsNow = () => this.confirmHits();

  constructor(sessions: SessionSource, onStoreError: (error: unknown) => void) {
    this.sessions = sessions;
    this.onStoreError = onStoreError;
  }

  /** Calls `done` once with the outcome (synchronously only when the cookie cannot be a session). */
  read(token: string | undefined, done: Done): void {
    const cached = this.sessions.readCached(token);
    if (cached === null) return done({ ok: true, session: null });
    if (cached === undefined) return this.readStore(token, done);
    this.tokens[this.waiting] = token;
    this.dones[this.waiting] = done;
    if (this.waiting++ === 0) setImmediate(this.confirmHitsNow);
  }

  /** {@link read} as a promise, for handlers that await. */
  readAsync(token: string | undefined): Promise<SessionOutcome> {
    return new Promise((resolve) => this.read(token, resolve));
  }

  private confirmHits(): void {
    const { tokens, dones, waiting } = this;
    // Hits read while these are answered wait in the spare pair for the next turn.
    this.tokens = this.spareTokens;
    this.dones = this.spareDones;
    this.waiting = 0;
    this.spareTokens = tokens;
    this.spareDones = dones;
    let i = 0;
    try {
      for (; i < waiting; i++) {
        const token = tokens[i];
        const done = dones[i] as Done;
        // Emptied as it is taken: a kept slot would hold its request until the slot is reused.
        tokens[i] = undefined;
        dones[i] = undefined;
        const session = this.sessions.readCached(token);
        if (session) done({ ok: true, session });
        else this.readStore(token, done);
      }
    } finally {
      // A throw (a bug; it ends the process) leaves the rest unanswered: their slots are emptied too.
      for (; i < waiting; i++) {
        tokens[i] = undefined;
        dones[i] = undefined;
      }
    }
  }

  private readStore(token: string | undefined, done: Done): void {
    this.sessions.read(token).then(
      (session) => done({ ok: true, session }),
      (error: unknown) => {
        this.onStoreError(error);
        done({ ok: false, error });
      },
    );
  }
}
