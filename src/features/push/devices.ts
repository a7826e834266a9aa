/**
 * Device lifecycle: activation (docs/push.md §3: a single-use code plus proof that the device
 * holds the private key of the public key it registers), listing and revocation.
 */
import { randomBytes } from 'node:crypto';
import { activatePayload, PATTERNS } from '../../../views/static/push/protocol.js';
import { consumeActivation } from './activations.ts';
import { endPendingPushes } from './revocation.ts';
import type { ClientInfo, PushContext } from './context.ts';
import { isDevicePublicKey, isValidSignature } from './signatures.ts';
import type { ActivateInput, ActivateResult, PushActor } from '../../ports/push-service.ts';

const MAX_NAME = 64;

export async function activateDevice(
  ctx: PushContext,
  input: ActivateInput,
  client: ClientInfo,
): Promise<ActivateResult> {
  const audited = { actor: 'device', ip: client.ip, userAgent: client.userAgent };
  // Consumed before the signature is checked: a code that met a bad signature is dead too.
  const userId = await consumeActivation(ctx, input.code);
  if (!userId) {
    const detail = { reason: 'invalid' };
    await ctx.audit({ ...audited, event: 'push.activation_refused', outcome: 'failure', detail });
    return { kind: 'invalid' };
  }
  if (!isProofOfPossession(input)) {
    const detail = { reason: 'bad_signature' };
    await ctx.audit({ ...audited, userId, event: 'push.activation_refused', outcome: 'failure', detail });
    return { kind: 'bad_signature' };
  }
  const deviceId = `dev_${randomBytes(16).toString('base64url')}`;
  const name = cleanName(input.name);
  const createdAt = new Date(ctx.clock.now());
  await ctx.devices.insert({ id: deviceId, userId, name, publicKey: input.publicKey, createdAt });
  await ctx.audit({
    ...audited,
    actor: userId,
    userId,
    event: 'push.device_activated',
    outcome: 'success',
    detail: { deviceId, name },
  });
  return { kind: 'activated', deviceId, userId };
}

/**
 * Revokes a live device; needs only the repository, a clock and the audit (the CLI calls it too).
 * Given the store, it ends the pushes in flight that were sent to the device; given the waiter, it
 * wakes the device's waiting long-poll.
 */
export async function revokeDevice(
  ctx: Pick<PushContext, 'devices' | 'clock' | 'audit'> & Partial<Pick<PushContext, 'store' | 'waiter'>>,
  deviceId: string,
  by: PushActor,
): Promise<boolean> {
  if (!PATTERNS.deviceId.test(deviceId)) return false;
  const userId = await ctx.devices.revoke(deviceId, new Date(ctx.clock.now()));
  if (userId === null) return false;
  // Recorded before the wake-up: a store that cannot carry it leaves the revocation audited (the
  // long-poll then ends on its own within its wait).
  await ctx.audit({
    event: 'push.device_revoked',
    outcome: 'success',
    userId,
    actor: by.actor,
    ip: by.ip ?? null,
    userAgent: by.userAgent ?? null,
    detail: { deviceId },
  });
  // A login page waiting on a push to this phone finds it over at its next poll, on any instance.
  if (ctx.store) await endPendingPushes({ store: ctx.store, clock: ctx.clock }, userId, deviceId);
  // Wakes the device's waiting long-poll on every instance; it finds itself revoked and ends.
  await ctx.waiter?.notify(userId);
  return true;
}

function isProofOfPossession(input: ActivateInput): boolean {
  if (!isDevicePublicKey(input.publicKey)) return false;
  return isValidSignature(input.publicKey, activatePayload(input.code), input.signature);
}

/** Printable, trimmed, at most 64 characters; the name is shown in lists, never trusted. */
function cleanName(name: string): string {
  const printable = [...name.replace(/\p{Cc}/gu, ' ').trim()].slice(0, MAX_NAME).join('').trim();
  return printable === '' ? 'Device' : printable;
}
