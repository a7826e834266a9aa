import QRCode from 'qrcode';
import { SekishoError } from '../../domain/errors.ts';
import { systemClock } from '../../ports/clock.ts';
import { createActivation } from '../../features/push/activations.ts';
import { PgDeviceRepository } from '../../features/push/device-repository.ts';
import { revokeDevice } from '../../features/push/devices.ts';
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

async function revoke(context: CliContext, deviceId: string): Promise<void> {
  const { audit } = context;
  const deps = {
    devices: new PgDeviceRepository(context.pool),
    clock: systemClock,
    audit: (event: AuditEvent) => audit.record(event),
  };
  if (!(await revokeDevice(deps, deviceId, { actor: context.actor })))
    throw new Error(`no live push device ${deviceId}`);
  console.log(`device ${deviceId} revoked; it can no longer approve logins`);
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
