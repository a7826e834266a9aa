/**
 * The gateway's VAPID key pair (RFC 8292): from `push.webPush` (or its `*File` forms) when given,
 * else made once with web-push and kept in the key store (Postgres, sealed), so that every
 * instance signs with the same key and subscriptions made through one work through all.
 */
import { randomBytes } from 'node:crypto';
import webpush from 'web-push';
import type { WebPushConfig } from '../../../config/push-schema.ts';
import type { KeyStore } from '../../../ports/key-store.ts';

export interface VapidKeys {
  /** Uncompressed P-256 point, base64url: the browsers' `applicationServerKey`. */
  readonly publicKey: string;
  readonly privateKey: string;
}

export const VAPID_PURPOSE = 'vapid';

export async function resolveVapidKeys(settings: WebPushConfig, keys: KeyStore): Promise<VapidKeys> {
  if (settings.vapidPublicKey && settings.vapidPrivateKey) {
    return { publicKey: settings.vapidPublicKey, privateKey: settings.vapidPrivateKey };
  }
  const stored = await keys.ensure(VAPID_PURPOSE, () => ({
    kid: randomBytes(8).toString('base64url'),
    material: JSON.stringify(webpush.generateVAPIDKeys()),
  }));
  const material = JSON.parse(stored.material) as Partial<VapidKeys>;
  if (typeof material.publicKey !== 'string' || typeof material.privateKey !== 'string') {
    throw new Error('the stored VAPID key is unreadable');
  }
  return { publicKey: material.publicKey, privateKey: material.privateKey };
}

/** The VAPID `sub`: the configured contact, else publicUrl when https, else a mailto: at its host. */
export function vapidSubject(settings: WebPushConfig, publicUrl: string): string {
  if (settings.subject) return settings.subject;
  const url = new URL(publicUrl);
  return url.protocol === 'https:' ? url.origin : `mailto:postmaster@${url.hostname}`;
}
