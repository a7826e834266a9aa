/**
 * Push transactions in the store (docs/push.md §4): one record per push, one decision that
 * only the first answer can write, and the user's inbox of pending IDs. All keys start with
 * `push:`; none holds a token (tokens are recomputed from the decision's nonce).
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { KeyValueStore } from '../../ports/key-value-store.ts';
import type { PendingRequest } from '../../ports/push-service.ts';

export const pushKeys = {
  transaction: (id: string) => `push:tx:${id}`,
  decision: (id: string) => `push:decision:${id}`,
  /** Set once by the first poll after approval: tokens are handed out that one time. */
  released: (id: string) => `push:released:${id}`,
  /** Set once by a successful verify: tokens work once. */
  used: (id: string) => `push:used:${id}`,
  inbox: (userId: string) => `push:inbox:${userId}`,
  /** Where decoys go: written like an inbox, read by nobody. */
  decoyInbox: (userId: string) => `push:decoy:${userId}`,
  /** Pushes started to a user in one aligned window bucket (the cap is a sliding window over two). */
  rate: (userId: string, bucket: number) => `push:rate:${userId}:${bucket}`,
  /** Of those, the ones that no longer count towards the cap: approved, or refused by it. */
  refunded: (userId: string, bucket: number) => `push:refunded:${userId}:${bucket}`,
  /** A signed inbox call already accepted, by the SHA-256 of what it signed: each works once. */
  signedCall: (payloadHash: string) => `push:signed:${payloadHash}`,
};

/** One channel for every user (the message is the user ID): the store cannot unsubscribe. */
export const INBOX_CHANNEL = 'push:user';

export interface TransactionRecord {
  readonly id: string;
  readonly userId: string;
  readonly challenge: string;
  /** The number the wait page shows; null when number matching is off. */
  readonly number: number | null;
  readonly choices: readonly number[];
  readonly createdAt: number;
  /** Until when a device may answer (ms). */
  readonly expiresAt: number;
  /** Until when the store keeps the record and its markers: the answer time plus the token time. */
  readonly retainUntil: number;
  readonly client: PendingRequest['client'];
  readonly path: string;
  readonly unknownEnvironment: boolean;
  /** Sent to no device, never approvable: the answer for an unknown or locked ID. */
  readonly decoy: boolean;
}

/** A device's answer to a push. */
export type DecisionOutcome = 'approved' | 'denied' | 'reported' | 'wrong_number';

/** How a push ended: a device's answer, or `revoked` when a phone it was sent to was revoked first. */
export interface DecisionRecord {
  readonly outcome: DecisionOutcome | 'revoked';
  readonly at: number;
  /** The device that answered, or the one whose revocation ended the push. */
  readonly deviceId: string;
  /** Random per approval; the tokens are HMACs over it (empty unless approved). */
  readonly nonce: string;
}

export function newTransactionId(): string {
  return `ptx_${randomBytes(16).toString('base64url')}`;
}

export function newChallenge(): string {
  return randomBytes(32).toString('base64url');
}

/** The number to show and three shuffled choices for the phone (it and two distinct others). */
export function pickNumbers(numberMatching: boolean): { number: number | null; choices: number[] } {
  if (!numberMatching) return { number: null, choices: [] };
  const number = randomInt(10, 100);
  const choices = [number];
  while (choices.length < 3) {
    const other = randomInt(10, 100);
    if (!choices.includes(other)) choices.push(other);
  }
  for (let i = choices.length - 1; i > 0; i--) {
    const j = randomInt(0, i + 1);
    [choices[i], choices[j]] = [choices[j] as number, choices[i] as number];
  }
  return { number, choices };
}

export async function saveTransaction(
  store: KeyValueStore,
  tx: TransactionRecord,
  now: number,
): Promise<void> {
  await store.put(pushKeys.transaction(tx.id), JSON.stringify(tx), tx.retainUntil - now);
}

export async function readTransaction(store: KeyValueStore, id: string): Promise<TransactionRecord | null> {
  return parse<TransactionRecord>(await store.read(pushKeys.transaction(id)));
}

export async function readDecision(store: KeyValueStore, id: string): Promise<DecisionRecord | null> {
  return parse<DecisionRecord>(await store.read(pushKeys.decision(id)));
}

/** Records the decision unless one exists: true for the one answer that wins. */
export async function recordDecision(
  store: KeyValueStore,
  tx: TransactionRecord,
  decision: DecisionRecord,
): Promise<boolean> {
  return store.putIfAbsent(pushKeys.decision(tx.id), JSON.stringify(decision), keepMs(tx, decision.at));
}

/** Sets a once-only marker of the transaction (`released`, `used`): true the first time. */
export async function markOnce(
  store: KeyValueStore,
  key: string,
  tx: TransactionRecord,
  now: number,
): Promise<boolean> {
  return store.putIfAbsent(key, '1', keepMs(tx, now));
}

/** Markers live as long as the record, so none can be set again while it can still be used. */
function keepMs(tx: TransactionRecord, now: number): number {
  return Math.max(tx.retainUntil - now, 1);
}

function parse<T>(json: string | null): T | null {
  if (json === null) return null;
  try {
    return JSON.parse(json) as T;
  } catch {
    return null;
  }
}
