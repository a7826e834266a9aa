import type { ChallengeStore } from './challenge-store.ts';
import type { KeyValueStore } from './key-value-store.ts';
import type { PubSub } from './pub-sub.ts';
import type { RateCounter } from './rate-counter.ts';
import type { SessionStore } from './session-store.ts';
import type { SetStore } from './set-store.ts';
import type { StoreConnection } from './store-connection.ts';

export type { ChallengeAttempt, ChallengeStore } from './challenge-store.ts';
export type { KeyValueStore } from './key-value-store.ts';
export type { PubSub } from './pub-sub.ts';
export type { RateCounter } from './rate-counter.ts';
export type { PeekedSession, SessionStore, SessionTouch, StoredSession } from './session-store.ts';
export type { SetStore } from './set-store.ts';
export type { RateLimitBackend, StoreConnection } from './store-connection.ts';

/**
 * The fast, shared, expiring state of the gateway, as one adapter provides it: Redis in
 * production, an in-process map in the demo. Only the composition root (and tests) hold the
 * whole; every consumer is given the ports it uses. Each port has its contract suite
 * (test/contracts/store-contract.ts), which both adapters pass.
 */
export interface Store
  extends SessionStore, RateCounter, KeyValueStore, ChallengeStore, SetStore, PubSub, StoreConnection {}
