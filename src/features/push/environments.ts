/**
 * Known environments (docs/push.md §4): the (client IP, browser label) pairs a user has logged
 * in from, kept as HMACs in a store set so the store never holds the user's IP addresses.
 */
import { createHmac } from 'node:crypto';
import type { SetStore } from '../../ports/set-store.ts';
import { pushKeys } from './transactions.ts';

export interface Environment {
  readonly ip: string;
  readonly browser: string;
}

export async function isKnownEnvironment(
  store: SetStore,
  secret: string,
  userId: string,
  environment: Environment,
): Promise<boolean> {
  return store.isSetMember(pushKeys.environments(userId), environmentMac(secret, userId, environment));
}

/** Adds the pair after a successful login; the whole set lives `days` from now. */
export async function rememberEnvironment(
  store: SetStore,
  secret: string,
  userId: string,
  environment: Environment,
  days: number,
): Promise<void> {
  const ttlMs = days * 86_400_000;
  await store.addToSet(pushKeys.environments(userId), ttlMs, environmentMac(secret, userId, environment));
}

function environmentMac(secret: string, userId: string, environment: Environment): string {
  return createHmac('sha256', secret)
    .update(['push-environment', userId, environment.ip, environment.browser].join('\u0000'))
    .digest('base64url');
}
