/**
 * Device keys and signatures (docs/push.md §1): a P-256 public key as a JWK, and ECDSA/SHA-256
 * signatures in WebCrypto's raw r‖s form, base64url. Everything here answers false on garbage
 * instead of throwing: a device's input is never trusted.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { DevicePublicKey } from '../../ports/push-service.ts';

/** A P-256 coordinate: 32 bytes, base64url without padding. */
const COORDINATE = /^[A-Za-z0-9_-]{43}$/;

/** An IEEE P1363 P-256 signature: 64 bytes, base64url without padding. */
const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;

/** True when `value` is exactly `{kty:'EC', crv:'P-256', x, y}` and a point Node accepts. */
export function isDevicePublicKey(value: unknown): value is DevicePublicKey {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const jwk = value as Record<string, unknown>;
  if (Object.keys(jwk).sort().join(',') !== 'crv,kty,x,y') return false;
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') return false;
  if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') return false;
  if (!COORDINATE.test(jwk.x) || !COORDINATE.test(jwk.y)) return false;
  return toKeyObject({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }) !== null;
}

/** Whether `signature` is the device key's signature over the UTF-8 `payload`. */
export function isValidSignature(key: DevicePublicKey, payload: string, signature: string): boolean {
  if (!SIGNATURE.test(signature)) return false;
  const keyObject = toKeyObject(key);
  if (!keyObject) return false;
  try {
    return verify(
      'sha256',
      Buffer.from(payload, 'utf8'),
      { key: keyObject, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
  } catch {
    return false;
  }
}

function toKeyObject(key: DevicePublicKey): KeyObject | null {
  try {
    const keyObject = createPublicKey({ key: { ...key }, format: 'jwk' });
    return keyObject.asymmetricKeyType === 'ec' ? keyObject : null;
  } catch {
    return null;
  }
}
