/**
 * The check every time-stamped signed device call passes (inbox, Web Push subscription, test
 * push; docs/push.md §1): a live device, a time within ±300 s of ours, its signature over the
 * call's payload, and a payload never accepted before (remembered in the shared store).
 */
import { createHash } from 'node:crypto';
import { PATTERNS } from '../../../views/static/push/protocol.js';
import type { PushContext } from './context.ts';
import type { StoredDevice } from './device-repository.ts';
import { isValidSignature } from './signatures.ts';
import { pushKeys } from './transactions.ts';

/** How far a device's clock may be from ours. */
const MAX_SKEW_MS = 300_000;
/**
 * How long an accepted call is remembered: the whole width of the window its time is accepted in,
 * so it cannot come back while its time is still good, here or on an instance whose clock differs.
 */
const SEEN_TTL_MS = 2 * MAX_SKEW_MS;

export interface SignedCall {
  readonly deviceId: string;
  readonly time: number;
  readonly signature: string;
}

/**
 * The device, when the call is good; null otherwise (the reason is logged). `payload` builds what
 * the device signed from the device ID; it throws for fields that break the protocol's patterns.
 */
export async function authorizeSignedCall(
  ctx: PushContext,
  call: SignedCall,
  payload: (deviceId: string) => string,
): Promise<StoredDevice | null> {
  if (!PATTERNS.deviceId.test(call.deviceId)) return null;
  if (!Number.isSafeInteger(call.time) || call.time < 0) return null;
  if (Math.abs(call.time - ctx.clock.now()) > MAX_SKEW_MS) {
    ctx.log.warn({ deviceId: call.deviceId, reason: 'stale_time' }, 'push device refused');
    return null;
  }
  const device = await ctx.devices.find(call.deviceId);
  if (!device || device.revokedAt) {
    ctx.log.warn({ deviceId: call.deviceId, reason: 'unknown_or_revoked' }, 'push device refused');
    return null;
  }
  const signed = built(() => payload(device.id));
  if (signed === null || !isValidSignature(device.publicKey, signed, call.signature)) {
    ctx.log.warn(
      { deviceId: device.id, user: device.userId, reason: 'bad_signature' },
      'push device refused',
    );
    return null;
  }
  if (!(await isFirstUse(ctx, signed))) {
    ctx.log.warn({ deviceId: device.id, user: device.userId, reason: 'replayed' }, 'push device refused');
    return null;
  }
  return device;
}

function built(payload: () => string): string | null {
  try {
    return payload();
  } catch {
    return null; // a field that breaks the protocol's pattern cannot have been signed by a device
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
