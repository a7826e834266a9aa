import { createPublicKey, verify } from 'node:crypto';
import webpush from 'web-push';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/load.ts';
import { newVapidKeys } from './vapid-keys.ts';

/** Verifies a VAPID header's ES256 JWT with node:crypto against the raw public point. */
function vapidVerifies(authorization: string, publicKey: string): boolean {
  const token = /^vapid t=([^,]+), k=(.+)$/.exec(authorization);
  if (!token?.[1] || token[2] !== publicKey) return false;
  const [header, claims, signature] = token[1].split('.');
  const point = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({
    format: 'jwk',
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
  });
  const signed = Buffer.from(`${header}.${claims}`);
  return verify(
    'sha256',
    signed,
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature ?? '', 'base64url'),
  );
}

describe('newVapidKeys', () => {
  it('makes pairs in web-push’s form: the config takes them and web-push signs with them', () => {
    const made = Array.from({ length: 64 }, () => newVapidKeys());
    expect(new Set(made.map((pair) => pair.privateKey)).size).toBe(made.length);
    for (const pair of made) {
      expect(pair.publicKey).toMatch(/^B[A-Za-z0-9_-]{86}$/);
      expect(Buffer.from(pair.privateKey, 'base64url')).toHaveLength(32);
      const loaded = loadConfig({
        overrides: {
          push: { webPush: { vapidPublicKey: pair.publicKey, vapidPrivateKey: pair.privateKey } },
        },
        env: {},
      });
      expect(loaded.ok).toBe(true);
      const headers = webpush.getVapidHeaders(
        'https://push.example',
        'mailto:ops@example.com',
        pair.publicKey,
        pair.privateKey,
        'aes128gcm',
      );
      expect(vapidVerifies(headers.Authorization, pair.publicKey)).toBe(true);
    }
  });
});
