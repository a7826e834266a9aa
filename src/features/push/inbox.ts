/**
 * `inbox` (docs/push.md §2): a device reads the live, undecided pushes of its user, signed
 * with its key over a recent time and a nonce; each signed call is accepted once. With a wait it
 * long-polls until a push arrives.
 */
import { inboxPayload } from '../../../views/static/push/protocol.js';
import type { PushContext } from './context.ts';
import { authorizeSignedCall } from './device-auth.ts';
import { pushKeys, readDecision, readTransaction, type TransactionRecord } from './transactions.ts';
import type { InboxInput, InboxResult, PendingRequest } from '../../ports/push-service.ts';

/** The longest long-poll: under common proxies' 30 s idle timeouts. */
const MAX_WAIT_MS = 25_000;

const revokedMeanwhile = new Error('push device revoked while waiting');

export async function readInbox(ctx: PushContext, input: InboxInput): Promise<InboxResult> {
  const device = await authorizeSignedCall(ctx, input, (id) => inboxPayload(id, input.time, input.nonce));
  if (!device) return { kind: 'unauthorized' };
  await ctx.devices.touch(device.id, new Date(ctx.clock.now()));
  const waitMs = Math.min(Math.max(input.waitMs, 0), MAX_WAIT_MS);
  const list = async () => {
    // A device revoked while it waits learns nothing more: every listing checks it again, the
    // first one too (it runs after the wake is armed, so a revocation just before is not missed).
    if (waitMs > 0 && (await ctx.devices.find(device.id))?.revokedAt !== null) throw revokedMeanwhile;
    return listPending(ctx, device.userId);
  };
  try {
    const requests = waitMs > 0 ? await ctx.waiter.waitFor(device.userId, waitMs, list) : await list();
    return { kind: 'ok', requests };
  } catch (error) {
    if (error === revokedMeanwhile) return { kind: 'unauthorized' };
    throw error;
  }
}

/** The user's pending pushes, oldest first; drops IDs that are no longer pending from the inbox. */
async function listPending(ctx: PushContext, userId: string): Promise<PendingRequest[]> {
  const inbox = pushKeys.inbox(userId);
  const ids = await ctx.store.setMembers(inbox);
  const now = ctx.clock.now();
  const found = await Promise.all(ids.map((id) => pendingTransaction(ctx, id, userId, now)));
  const stale = ids.filter((_, i) => found[i] === null);
  if (stale.length > 0) await ctx.store.removeFromSet(inbox, ...stale);
  return found
    .filter((tx): tx is TransactionRecord => tx !== null)
    .sort((a, b) => a.createdAt - b.createdAt)
    .map(toPendingRequest);
}

async function pendingTransaction(
  ctx: PushContext,
  id: string,
  userId: string,
  now: number,
): Promise<TransactionRecord | null> {
  const tx = await readTransaction(ctx.store, id);
  if (!tx || tx.decoy || tx.userId !== userId || now >= tx.expiresAt) return null;
  return (await readDecision(ctx.store, id)) ? null : tx;
}

function toPendingRequest(tx: TransactionRecord): PendingRequest {
  return {
    transactionId: tx.id,
    challenge: tx.challenge,
    choices: tx.choices,
    createdAt: tx.createdAt,
    expiresAt: tx.expiresAt,
    client: tx.client,
    path: tx.path,
    unknownEnvironment: tx.unknownEnvironment,
  };
}
