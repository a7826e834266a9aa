/** The user's push devices as credentials: listed and revoked through the gateway's own push service. */
import type { MethodCredentials, PushClient } from '../../src/plugin-api.ts';

/** Credentials of the local push service; null for a remote one, which keeps its own devices. */
export function pushCredentials(push: PushClient): MethodCredentials | null {
  const { listDevices, revokeDevice } = push;
  if (!listDevices || !revokeDevice) return null;
  return {
    async list(user) {
      const devices = await listDevices.call(push, user.id);
      return devices
        .filter((d) => d.revokedAt === null)
        .map((d) => ({
          id: d.id,
          name: d.name,
          createdAt: d.createdAt.getTime(),
          lastUsedAt: d.lastSeenAt?.getTime() ?? null,
        }));
    },
    async remove(user, id, by) {
      const mine = (await listDevices.call(push, user.id)).find((d) => d.id === id && d.revokedAt === null);
      if (!mine) return false;
      // The push service audits the revocation (push.device_revoked) with this actor.
      return revokeDevice.call(push, id, {
        actor: by.actor,
        ip: by.client?.ip ?? null,
        userAgent: by.client?.userAgent ?? null,
      });
    },
  };
}
