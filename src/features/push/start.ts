/**
 * `start` (docs/push.md §4): the push-bombing cap (bombing-cap.ts), the number, the unknown-environment check,
 * and the transaction in the store; then the user's devices are woken. A decoy looks the same
 * to the caller but reaches no device.
 */
import type { PushStartRequest, PushStartResult } from '../../plugin-api.ts';
import { browserLabel } from '../../../views/static/push/browser-label.js';
import { takePushSlot } from './bombing-cap.ts';
import type { PushContext } from './context.ts';
import { isKnownEnvironment } from '../../core/known-environments.ts';
import {
  newChallenge,
  newTransactionId,
  pickNumbers,
  pushKeys,
  saveTransaction,
  type TransactionRecord,
} from './transactions.ts';

export async function startPush(ctx: PushContext, request: PushStartRequest): Promise<PushStartResult> {
  const { store } = ctx;
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
  const slot = await takePushSlot(ctx, request.userId);
  if (!slot.ok) {
    const detail = { decoy: request.decoy, retryAt: slot.retryAt };
    await ctx.audit({ ...audited, event: 'push.busy', outcome: 'failure', detail });
    return { kind: 'busy', retryAt: slot.retryAt };
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
