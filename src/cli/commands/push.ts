import QRCode from 'qrcode';
import { RedisStore } from '../../adapters/redis/redis-store.ts';
import type { Config } from '../../config/schema.ts';
import { SekishoError } from '../../domain/errors.ts';
import { systemClock } from '../../ports/clock.ts';
import { createActivation } from '../../features/push/activations.ts';
import { PgDeviceRepository } from '../../features/push/device-repository.ts';
import { revokeDevice } from '../../features/push/devices.ts';
import { InboxWaiter } from '../../features/push/inbox-waiter.ts';
import type { PushDevice } from '../../ports/push-service.ts';
import type { AuditEvent } from '../../ports/audit.ts';
import { flag, one, parseInvocation, usageError } from '../args.ts';
import { openCliContext, type CliContext } from '../context.ts';

const usage = 'usage: sekisho push enroll <id> | push devices <id> | push revoke <deviceId>';

/** `sekisho push enroll|devices|revoke`: push authenticators, with Postgres only. */
export async function pushCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const inv = parseInvocation(rest, {});
  if (sub !== 'enroll' && sub !== 'devices' && sub !== 'revoke') throw usageError(usage);
  const subject = one(inv, sub === 'revoke' ? 'device ID' : 'user ID');
  const context = await openCliContext(flag(inv, 'config'));
  try {
    if (sub === 'enroll') return await enrol(context, subject);
    if (sub === 'devices') return await listDevices(context, subject);
    return await revoke(context, subject);
  } finally {
    await context.close();
  }
}

async function enrol(context: CliContext, userId: string): Promise<void> {
  const { config, pool } = context;
  const activation = await createActivation(
    {
      pool,
      clock: systemClock,
      publicUrl: config.publicUrl,
      ttlSeconds: config.push.activationTtlSeconds,
      audit: context.audit,
    },
    userId,
    { actor: context.actor },
  );
  const minutes = Math.round((activation.expiresAt - systemClock.now()) / 60_000);
  console.log(`activation URL (open it on the phone): ${activation.url}`);
  console.log(`enrolment page (show it on a PC screen, scan the QR code): ${activation.enrolmentUrl}`);
  console.log(`expires: ${new Date(activation.expiresAt).toISOString()} (in ${minutes} min; single use)`);
  if (process.stdout.isTTY) {
    console.log(await QRCode.toString(activation.url, { type: 'terminal', small: true }));
  }
}

async function listDevices(context: CliContext, userId: string): Promise<void> {
  if (!(await context.users.find(userId)))
    throw new SekishoError('SEKISHO_ERR_USER_NOT_FOUND', `no user ${userId}`);
  for (const device of await new PgDeviceRepository(context.pool).listForUser(userId)) {
    console.log(summary(device));
  }
}

/**
 * Revokes a device as the console does: the pushes in flight sent to it end, and its waiting
 * long-poll on every gateway instance wakes (both through the gateways' shared store) and finds it
 * revoked.
 */
async function revoke(context: CliContext, deviceId: string): Promise<void> {
  const { audit } = context;
  // Connected before anything changes: a store out of reach fails the command with nothing revoked.
  const store = await openSharedStore(context.config);
  try {
    const deps = {
      devices: new PgDeviceRepository(context.pool),
      clock: systemClock,
      audit: (event: AuditEvent) => audit.record(event),
      ...(store ? { store, waiter: new InboxWaiter(store) } : {}),
    };
    if (!(await revokeDevice(deps, deviceId, { actor: context.actor })))
      throw new Error(`no live push device ${deviceId}`);
  } finally {
    await store?.close();
  }
  console.log(`device ${deviceId} revoked; it can no longer approve logins`);
}

/**
 * The gateways' Redis, or null when they keep their store in process (the demo): nothing outside
 * a gateway can reach that, and a waiting device learns of its revocation when its wait ends.
 */
async function openSharedStore(config: Config): Promise<RedisStore | null> {
  const { redis } = config;
  if (!redis.url && !redis.sentinels) return null;
  const store = new RedisStore(redis, systemClock);
  try {
    await store.connect();
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** id, name, created, last seen, state: tab-separated like `user list`. */
function summary(device: PushDevice): string {
  return [
    device.id,
    device.name,
    device.createdAt.toISOString(),
    device.lastSeenAt?.toISOString() ?? '-',
    device.revokedAt ? `revoked ${device.revokedAt.toISOString()}` : 'active',
  ].join('\t');
}
