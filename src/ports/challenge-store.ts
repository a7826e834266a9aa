/** What checking one answer did to a challenge. */
export interface ChallengeAttempt {
  /** `ok`: the answer matched and the challenge is consumed; `wrong`: attempts left; `dead`: gone. */
  readonly outcome: 'ok' | 'wrong' | 'dead';
  /** Wrong answers the challenge still takes (for `ok`: as many as before this answer). */
  readonly attemptsLeft: number;
}

/**
 * One-time challenges (OTPs): only a hash of the right answer is kept, answers are checked and
 * counted atomically, and a challenge is single use. Challenges have a key space of their own.
 */
export interface ChallengeStore {
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
  /** Deletes a challenge before it is answered or expires. */
  discardChallenge(key: string): Promise<void>;
}
