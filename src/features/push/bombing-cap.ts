/**
 * The push-bombing cap (docs/push.md, "Push bombing"): at most `push.maxPendingPerUser` pushes per
 * user in `push.pendingWindowSeconds` that the user did not approve. Pushes are counted when they
 * start, atomically, so two instances cannot both take the last slot; an approved push, and a start
 * the cap refused, are then handed back through a second counter of the same window bucket. What
 * counts is therefore what bothers the user: unanswered, denied, reported or wrong-number pushes.
 */
import type { PushConfig } from '../../config/push-schema.ts';
import type { PushContext } from './context.ts';
import { pushKeys } from './transactions.ts';

type CapContext = Pick<PushContext, 'store' | 'clock'> & {
  readonly settings: Pick<PushConfig, 'maxPendingPerUser' | 'pendingWindowSeconds'>;
};

export type PushSlot = { readonly ok: true } | { readonly ok: false; readonly retryAt: number };

/** Counts one push to `userId`; refused (and not counted) when it would pass the cap. */
export async function takePushSlot(ctx: CapContext, userId: string): Promise<PushSlot> {
  const windowMs = ctx.settings.pendingWindowSeconds * 1000;
  const now = ctx.clock.now();
  const bucket = Math.floor(now / windowMs);
  // The count the hit returns is this push's place: two starts at once see two different counts.
  const started = await ctx.store.hit(pushKeys.rate(userId, bucket), 2 * windowMs);
  const current = await netCount(ctx, userId, bucket, started);
  const previous = await netCount(ctx, userId, bucket - 1);
  const max = ctx.settings.maxPendingPerUser;
  if (slidingCount(current, previous, now, windowMs) <= max) return { ok: true };
  await refund(ctx, userId, bucket, windowMs);
  return { ok: false, retryAt: freeAt(now, windowMs, current - 1, previous, max) };
}

/** Hands back the slot of an approved push, in the bucket where it was counted. */
export async function refundApprovedPush(ctx: CapContext, userId: string, createdAt: number): Promise<void> {
  const windowMs = ctx.settings.pendingWindowSeconds * 1000;
  await refund(ctx, userId, Math.floor(createdAt / windowMs), windowMs);
}

async function refund(ctx: CapContext, userId: string, bucket: number, windowMs: number): Promise<void> {
  await ctx.store.hit(pushKeys.refunded(userId, bucket), 2 * windowMs);
}

/** The bucket's pushes less those handed back; `started` when the caller has just counted them. */
async function netCount(ctx: CapContext, userId: string, bucket: number, started?: number): Promise<number> {
  started ??= await ctx.store.peek(pushKeys.rate(userId, bucket));
  const refunded = await ctx.store.peek(pushKeys.refunded(userId, bucket));
  return Math.max(0, started - refunded);
}

/**
 * A sliding window estimated from two aligned buckets, the previous one weighted by how much of it
 * still overlaps, so a burst at the end of one window and the start of the next is not counted twice
 * as small.
 */
export function slidingCount(current: number, previous: number, now: number, windowMs: number): number {
  const overlap = 1 - (now % windowMs) / windowMs;
  return current + Math.ceil(previous * overlap);
}

/**
 * The first whole second from which one more push fits under `max`, if nothing else is sent or
 * answered meanwhile: later in this bucket, as the previous bucket slides out of the window, or in
 * the next one, as this bucket does. `current` and `previous` are the buckets' net counts.
 */
export function freeAt(
  now: number,
  windowMs: number,
  current: number,
  previous: number,
  max: number,
): number {
  const bucketStart = now - (now % windowMs);
  const room = max - 1 - current;
  const at =
    room >= 0
      ? bucketStart + fractionFor(previous, room, windowMs)
      : bucketStart + windowMs + fractionFor(current, max - 1, windowMs);
  // Whole seconds, rounded up, with a second's slack for the estimate's rounding.
  return Math.max(now, Math.ceil((at + 1000) / 1000) * 1000);
}

/** How far into a bucket `count` pushes of the bucket before weigh no more than `room`. */
function fractionFor(count: number, room: number, windowMs: number): number {
  if (count <= room) return 0;
  return Math.ceil(((count - room) * windowMs) / count);
}
