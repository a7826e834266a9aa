/**
 * `respond` (docs/push.md §2, §4): a device approves, denies or reports a push of its user.
 * The signature covers the device, the transaction, its challenge, the decision and the number,
 * so it cannot be moved to another push; exactly one decision wins (put-if-absent).
 */
import { randomBytes } from 'node:crypto';
import { PATTERNS, respondPayload } from '../../../views/static/push/protocol.js';
import { refundApprovedPush } from './bombing-cap.ts';
import type { ClientInfo, PushContext } from './context.ts';
import { isValidSignature } from './signatures.ts';
import {
  pushKeys,
  readTransaction,
  recordDecision,
  type DecisionOutcome,
  type TransactionRecord,
} from './transactions.ts';
import type { RespondInput, RespondResult } from '../../ports/push-service.ts';

const AUDIT: Record<DecisionOutcome, { event: string; outcome: 'success' | 'failure' }> = {
  approved: { event: 'push.approved', outcome: 'success' },
  denied: { event: 'push.denied', outcome: 'failure' },
  reported: { event: 'push.reported', outcome: 'failure' },
  wrong_number: { event: 'push.wrong_number', outcome: 'failure' },
};

export async function respondToPush(
  ctx: PushContext,
  input: RespondInput,
  client: ClientInfo,
): Promise<RespondResult> {
  const device = PATTERNS.deviceId.test(input.deviceId) ? await ctx.devices.find(input.deviceId) : null;
  if (!device || device.revokedAt) {
    ctx.log.warn({ deviceId: input.deviceId, reason: 'unknown_or_revoked' }, 'push answer refused');
    return { kind: 'unauthorized' };
  }
  const now = ctx.clock.now();
  const tx = PATTERNS.transactionId.test(input.transactionId)
    ? await readTransaction(ctx.store, input.transactionId)
    : null;
  if (!tx || tx.decoy || tx.userId !== device.userId || now >= tx.expiresAt)
    return { kind: 'no_such_request' };
  if (!isValidSignature(device.publicKey, signedPayload(input, tx), input.signature)) {
    ctx.log.warn(
      { deviceId: device.id, user: device.userId, reason: 'bad_signature' },
      'push answer refused',
    );
    return { kind: 'unauthorized' };
  }
  const outcome = outcomeOf(input, tx);
  const nonce = outcome === 'approved' ? randomBytes(32).toString('base64url') : '';
  if (!(await recordDecision(ctx.store, tx, { outcome, at: now, deviceId: device.id, nonce }))) {
    return { kind: 'already_decided' };
  }
  await ctx.store.removeFromSet(pushKeys.inbox(tx.userId), tx.id);
  // What the user approved does not bother them: it leaves the push-bombing cap.
  if (outcome === 'approved') await refundApprovedPush(ctx, tx.userId, tx.createdAt);
  await ctx.devices.touch(device.id, new Date(now));
  const fields = { user: tx.userId, deviceId: device.id, transactionId: tx.id };
  if (outcome === 'reported') ctx.log.warn({ ...fields, ip: tx.client.ip }, 'push reported by user');
  await ctx.audit({
    ...AUDIT[outcome],
    userId: tx.userId,
    actor: tx.userId,
    ip: client.ip,
    userAgent: client.userAgent,
    detail: { transactionId: tx.id, deviceId: device.id, loginIp: tx.client.ip, browser: tx.client.browser },
  });
  return { kind: 'decided', outcome };
}

function signedPayload(input: RespondInput, tx: TransactionRecord): string {
  try {
    return respondPayload({ ...input, transactionId: tx.id, challenge: tx.challenge });
  } catch {
    // A field that breaks the protocol's patterns cannot have been signed by a real device.
    return '';
  }
}

/** A wrong number ends the push: there is no second guess. */
function outcomeOf(input: RespondInput, tx: TransactionRecord): DecisionOutcome {
  if (input.decision === 'deny') return 'denied';
  if (input.decision === 'report') return 'reported';
  if (tx.number === null || input.number === String(tx.number)) return 'approved';
  return 'wrong_number';
}
