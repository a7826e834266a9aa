/**
 * `start` (docs/push.md §4): the push-bombing cap, the number, the unknown-environment check,
 * and the transaction in the store; then the user's devices are woken. A decoy looks the same
 * to the caller but reaches no device.
 */
import type { PushStartRequest, PushStartResult } from '../../plugin-api.ts';
import { browserLabel } from '../../../views/static/push/browser-label.js';
import type { PushContext } from './context.ts';
import { isKnownEnvironment } from './environments.ts';
import {
  newChallenge,
  newTransactionId,
  pickNumbers,
  pushKeys,
  saveTransaction,
  type TransactionRecord,
} from './transactions.ts';

export async function startPush(ctx: PushContext, request: PushStartRequest): Promise<PushStartResult> {
  const { settings, store } = ctx;
  const client = {
    ip: request.ip,
    userAgent: request.userAgent,
    browser: browserLabel(request.userAgent),
  };
  const audited = {
    userId: request.userId,
    actor: request.userId,
    ip: client.ip,
    userAgent: client.userAgent,
  };
  // Decoys count too: an unknown ID must turn busy exactly like a real one.
  const sent = await recentPushes(ctx, request.userId);
  if (sent > settings.maxPendingPerUser) {
    await ctx.audit({ ...audited, event: 'push.busy', outcome: 'failure', detail: { decoy: request.decoy } });
    return { kind: 'busy' };
  }
  // Environment and devices are looked up for decoys too, so both paths take much the same time.
  const known = await isKnownEnvironment(store, ctx.secret, request.userId, client);
  const live = await ctx.devices.countLive(request.userId);
  const tx = newTransaction(ctx, request, client, !known && !request.decoy);
  await saveTransaction(store, tx, tx.createdAt);
  const devices = request.decoy ? 0 : live;
  // A decoy does the same store writes, publish and audit rows as a real push (into a set no
  // device reads), so the wait page takes as long for an unknown ID as for a real one.
  const inbox = request.decoy ? pushKeys.decoyInbox(tx.userId) : pushKeys.inbox(tx.userId);
  await store.addToSet(inbox, tx.expiresAt - tx.createdAt, tx.id);
  await ctx.waiter.notify(tx.userId);
  // In the background: a slow push service never delays the wait page.
  if (!tx.decoy) ctx.webPush?.sendLogin(tx);
  const detail = {
    transactionId: tx.id,
    devices,
    unknownEnvironment: tx.unknownEnvironment,
    decoy: tx.decoy,
  };
  await ctx.audit({ ...audited, event: 'push.sent', outcome: 'info', detail });
  if (!known) {
    const where = { transactionId: tx.id, browser: client.browser, decoy: tx.decoy };
    await ctx.audit({ ...audited, event: 'push.unknown_environment', outcome: 'info', detail: where });
  }
  return { kind: 'started', transactionId: tx.id, number: tx.number, expiresAt: tx.expiresAt };
}

/**
 * Pushes to this user in the last window, this one included: a sliding window estimated from
 * two aligned buckets (the previous one weighted by how much of it still overlaps), so a burst
 * at the end of one window and the start of the next is not counted twice as small.
 */
async function recentPushes(ctx: PushContext, userId: string): Promise<number> {
  const windowMs = ctx.settings.pendingWindowSeconds * 1000;
  const now = ctx.clock.now();
  const bucket = Math.floor(now / windowMs);
  const current = await ctx.store.hit(pushKeys.rate(userId, bucket), 2 * windowMs);
  const previous = await ctx.store.peek(pushKeys.rate(userId, bucket - 1));
  const overlap = 1 - (now - bucket * windowMs) / windowMs;
  return current + Math.ceil(previous * overlap);
}

function newTransaction(
  ctx: PushContext,
  request: PushStartRequest,
  client: TransactionRecord['client'],
  unknownEnvironment: boolean,
): TransactionRecord {
  const now = ctx.clock.now();
  const expiresAt = now + ctx.settings.requestTtlSeconds * 1000;
  return {
    id: newTransactionId(),
    userId: request.userId,
    challenge: newChallenge(),
    ...pickNumbers(ctx.settings.numberMatching),
    createdAt: now,
    expiresAt,
    retainUntil: expiresAt + ctx.settings.tokenTtlSeconds * 1000,
    client,
    path: request.path,
    unknownEnvironment,
    decoy: request.decoy,
  };
}
