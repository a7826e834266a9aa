import { describe, expect, it } from 'vitest';
import type { ChallengeStore } from '../../../src/ports/challenge-store.ts';
import type { FakeClock } from '../../../src/ports/clock.ts';
import { withFreshStore, type StoreFactory } from './fresh-store.ts';

/** What every {@link ChallengeStore} must do. */
export function challengeStoreContract(adapter: string, factory: StoreFactory<ChallengeStore>): void {
  describe(`ChallengeStore contract: ${adapter}`, () => {
    let clock: FakeClock;
    let store: ChallengeStore;
    withFreshStore(factory, (fresh, freshClock) => {
      store = fresh;
      clock = freshClock;
    });

    it('consumes a challenge on the right answer, once', async () => {
      await store.openChallenge('c', 'right', 3, 10_000);
      expect(await store.attemptChallenge('c', 'right')).toEqual({ outcome: 'ok', attemptsLeft: 3 });
      expect((await store.attemptChallenge('c', 'right')).outcome).toBe('dead');
    });

    it('kills a challenge after the allowed wrong answers', async () => {
      await store.openChallenge('c', 'right', 2, 10_000);
      expect(await store.attemptChallenge('c', 'wrong')).toEqual({ outcome: 'wrong', attemptsLeft: 1 });
      expect(await store.attemptChallenge('c', 'wrong')).toEqual({ outcome: 'dead', attemptsLeft: 0 });
      expect((await store.attemptChallenge('c', 'right')).outcome).toBe('dead');
    });

    it('kills a challenge at its expiry and replaces it when reopened', async () => {
      await store.openChallenge('c', 'first', 3, 10_000);
      await store.openChallenge('c', 'second', 3, 10_000);
      expect((await store.attemptChallenge('c', 'first')).outcome).toBe('wrong');
      clock.advance(10_000);
      expect((await store.attemptChallenge('c', 'second')).outcome).toBe('dead');
    });

    it('counts challenge attempts atomically under concurrency', async () => {
      await store.openChallenge('c', 'right', 5, 10_000);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.attemptChallenge('c', 'no')));
      expect(results.filter((r) => r.outcome === 'wrong')).toHaveLength(4);
      expect(results.filter((r) => r.outcome === 'dead')).toHaveLength(16);
    });

    it('discards a challenge before it is answered, and only that one', async () => {
      await store.openChallenge('c', 'right', 3, 10_000);
      await store.openChallenge('d', 'right', 3, 10_000);
      await store.discardChallenge('c');
      await store.discardChallenge('absent');
      expect((await store.attemptChallenge('c', 'right')).outcome).toBe('dead');
      expect((await store.attemptChallenge('d', 'right')).outcome).toBe('ok');
    });
  });
}
