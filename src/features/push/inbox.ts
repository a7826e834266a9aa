/**
 * `inbox` (docs/push.md §2): a device reads the live, undecided pushes of its user, signed
 * with its key over a recent time and a nonce; each signed call is accepted once. With a wait it
 * long-polls until a push arrives.
 */
import { createHash } from 'node:crypto';
import { inboxPayload, PATTERNS } from '../../../views/static/push/protocol.js';
import type { PushContext } from './context.ts';
import type { StoredDevice } from './device-repository.ts';
import { isValidSignature } from './signatures.ts';
import { pushKeys, readDecision, readTransaction, type TransactionRecord } from './transactions.ts';
import type { InboxInput, InboxResult, PendingRequest } from '../../ports/push-service.ts';

/** How far a device's clock may be from ours. */
const MAX_SKEW_MS = 300_000;
/**
 * How long an accepted call is remembered: the whole width of the window its time is accepted in,
 * so it cannot come back while its time is still good, here or on an instance whose clock differs.
 */
const SEEN_TTL_MS = 2 * MAX_SKEW_MS;
/** The longest long-poll: under common proxies' 30 s idle timeouts. */
const MAX_WAIT_MS = 25_000;

const revokedMeanwhile = new Error('push device revoked while waiting');

export async function readInbox(ctx: PushContext, input: InboxInput): Promise<InboxResult> {
  const device = await authorize(ctx, input);
  if (!device) return { kind: 'unauthorized' };
  await ctx.devices.touch(device.id, new Date(ctx.clock.now()));
  const waitMs = Math.min(Math.max(input.waitMs, 0), MAX_WAIT_MS);
  let woken = false;
  const list = async () => {
    // A device revoked while it waits learns nothing more: each wake checks it again.
    if (woken && (await ctx.devices.find(device.id))?.revokedAt !== null) throw revokedMeanwhile;
    woken = true;
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

async function authorize(ctx: PushContext, input: InboxInput): Promise<StoredDevice | null> {
  if (!PATTERNS.deviceId.test(input.deviceId)) return null;
  if (!Number.isSafeInteger(input.time) || input.time < 0) return null;
  if (Math.abs(input.time - ctx.clock.now()) > MAX_SKEW_MS) {
    ctx.log.warn({ deviceId: input.deviceId, reason: 'stale_time' }, 'push device refused');
    return null;
  }
  const device = await ctx.devices.find(input.deviceId);
  if (!device || device.revokedAt) {
    ctx.log.warn({ deviceId: input.deviceId, reason: 'unknown_or_revoked' }, 'push device refused');
    return null;
  }
  const payload = signedPayload(device.id, input);
  if (payload === null || !isValidSignature(device.publicKey, payload, input.signature)) {
    ctx.log.warn(
      { deviceId: device.id, user: device.userId, reason: 'bad_signature' },
      'push device refused',
    );
    return null;
  }
  if (!(await isFirstUse(ctx, payload))) {
    ctx.log.warn({ deviceId: device.id, user: device.userId, reason: 'replayed' }, 'push device refused');
    return null;
  }
  return device;
}

function signedPayload(deviceId: string, input: InboxInput): string | null {
  try {
    return inboxPayload(deviceId, input.time, input.nonce);
  } catch {
    return null; // a nonce that breaks the protocol's pattern cannot have been signed by a device
  }
}

/**
 * Remembers the signed statement itself (put-if-absent in the shared store), not the signature:
 * an ECDSA signature has a second valid form, (r, n − s), which a replay could use instead.
 */
async function isFirstUse(ctx: PushContext, payload: string): Promise<boolean> {
  const hash = createHash('sha256').update(payload).digest('base64url');
  return ctx.store.putIfAbsent(pushKeys.signedCall(hash), '1', SEEN_TTL_MS);
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
