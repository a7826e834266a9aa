/**
 * The gateway's VAPID key pair (RFC 8292): from `push.webPush` (or its `*File` forms) when given,
 * else made once and kept in the key store (Postgres, sealed), so that every instance signs with
 * the same key and subscriptions made through one work through all.
 */
import { createECDH, randomBytes } from 'node:crypto';
import { onFirstUse } from '../../../core/on-first-use.ts';
import type { WebPushConfig } from '../../../config/push-schema.ts';
import type { KeyStore } from '../../../ports/key-store.ts';

export interface VapidKeys {
  /** Uncompressed P-256 point, base64url: the browsers' `applicationServerKey`. */
  readonly publicKey: string;
  readonly privateKey: string;
}

export const VAPID_PURPOSE = 'vapid';

/** web-push (with its ASN.1 and JWS libraries): loaded when the first push is sent. */
export const webPushLibrary = onFirstUse(async () => (await import('web-push')).default);

export async function resolveVapidKeys(settings: WebPushConfig, keys: KeyStore): Promise<VapidKeys> {
  if (settings.vapidPublicKey && settings.vapidPrivateKey) {
    return { publicKey: settings.vapidPublicKey, privateKey: settings.vapidPrivateKey };
  }
  const stored = await keys.ensure(VAPID_PURPOSE, () => ({
    kid: randomBytes(8).toString('base64url'),
    material: JSON.stringify(newVapidKeys()),
  }));
  const material = JSON.parse(stored.material) as Partial<VapidKeys>;
  if (typeof material.publicKey !== 'string' || typeof material.privateKey !== 'string') {
    throw new Error('the stored VAPID key is unreadable');
  }
  return { publicKey: material.publicKey, privateKey: material.privateKey };
}

/**
 * A new key pair in the form web-push's `generateVAPIDKeys` gives (and its signing reads): the
 * P-256 public point uncompressed (65 bytes) and the private scalar (32 bytes), base64url. Made
 * with node:crypto, so that start-up does not load web-push for it.
 */
export function newVapidKeys(): VapidKeys {
  const ecdh = createECDH('prime256v1');
  const publicKey = ecdh.generateKeys();
  const scalar = ecdh.getPrivateKey();
  const privateKey = Buffer.concat([Buffer.alloc(32 - scalar.length), scalar]);
  return { publicKey: publicKey.toString('base64url'), privateKey: privateKey.toString('base64url') };
}

/** The VAPID `sub`: the configured contact, else publicUrl when https, else a mailto: at its host. */
export function vapidSubject(settings: WebPushConfig, publicUrl: string): string {
  if (settings.subject) return settings.subject;
  const url = new URL(publicUrl);
  return url.protocol === 'https:' ? url.origin : `mailto:postmaster@${url.hostname}`;
}
