/**
 * What revoking a phone does to the pushes in flight. Every pending push of the user was sent to
 * each of the user's live devices, the revoked one too, so each ends with the decision `revoked`:
 * written put-if-absent like an answer, so it either beats a late approval or finds the push
 * answered first and leaves that answer alone. The decisions live in the shared store, so the
 * next poll of a waiting login page, on any instance, finds its push over.
 */
import type { PushContext } from './context.ts';
import { pushKeys, readTransaction, recordDecision } from './transactions.ts';

/** The part of the push context ending pushes needs. */
export type RevocationContext = Pick<PushContext, 'store' | 'clock'>;

/** Ends the user's pending pushes because `deviceId` was revoked; returns how many it ended. */
export async function endPendingPushes(
  ctx: RevocationContext,
  userId: string,
  deviceId: string,
): Promise<number> {
  const inbox = pushKeys.inbox(userId);
  const ids = await ctx.store.setMembers(inbox);
  if (ids.length === 0) return 0;
  const now = ctx.clock.now();
  const ended = await Promise.all(ids.map((id) => endPush(ctx, id, userId, deviceId, now)));
  // None of these is pending any more: ended now, answered or expired before.
  await ctx.store.removeFromSet(inbox, ...ids);
  return ended.filter(Boolean).length;
}

async function endPush(
  ctx: RevocationContext,
  id: string,
  userId: string,
  deviceId: string,
  now: number,
): Promise<boolean> {
  const tx = await readTransaction(ctx.store, id);
  // Decoys are never in an inbox; the checks keep a stray ID from ending someone else's push.
  if (!tx || tx.decoy || tx.userId !== userId || now >= tx.expiresAt) return false;
  return recordDecision(ctx.store, tx, { outcome: 'revoked', at: now, deviceId, nonce: '' });
}
