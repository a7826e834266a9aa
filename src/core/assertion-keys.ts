import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { KeyStore, NewKey, StoredKey } from '../ports/key-store.ts';

/** The key store purpose of the assertion's signing keys. */
export const assertionKeyPurpose = 'assertion';

/** The key that signs now, and every public key a verifier may meet (current and retired). */
export interface AssertionKeySet {
  readonly signing: { readonly kid: string; readonly key: KeyObject };
  readonly published: readonly JWK[];
}

/** A new P-256 key: its private JWK as the stored material, its RFC 7638 thumbprint as `kid`. */
export async function newAssertionKey(): Promise<NewKey> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return keyFromPrivate(privateKey);
}

async function keyFromPrivate(privateKey: KeyObject): Promise<NewKey> {
  const jwk = privateKey.export({ format: 'jwk' });
  const kid = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y });
  return { kid, material: JSON.stringify(jwk) };
}

/** The public half of stored material, as the JWKS publishes it. */
export function publicJwk(kid: string, material: string): JWK {
  const jwk = createPublicKey({ key: JSON.parse(material) as JsonWebKey, format: 'jwk' }).export({
    format: 'jwk',
  });
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid, alg: 'ES256', use: 'sig' };
}

function signingKey(key: Pick<StoredKey, 'kid' | 'material'>): AssertionKeySet['signing'] {
  return {
    kid: key.kid,
    key: createPrivateKey({ key: JSON.parse(key.material) as JsonWebKey, format: 'jwk' }),
  };
}

/**
 * Keys kept in Postgres: made once for every instance (`ensure`), then read back with the retired
 * keys that are still published. `sekisho keys rotate` adds a new one.
 */
export function storedAssertionKeys(keys: KeyStore): () => Promise<AssertionKeySet> {
  return async () => {
    const listed = await keys.list(assertionKeyPurpose);
    const current =
      listed.find((key) => key.retiredAt === null) ??
      (await keys.ensure(assertionKeyPurpose, newAssertionKey));
    const published = listed.some((key) => key.kid === current.kid) ? listed : [current, ...listed];
    return {
      signing: signingKey(current),
      published: published.map((key) => publicJwk(key.kid, key.material)),
    };
  };
}

/** A key given in the configuration (`assertion.privateKey`): the one key, published alone. */
export function configuredAssertionKey(pem: string): () => Promise<AssertionKeySet> {
  return async () => {
    const key = await keyFromPrivate(createPrivateKey(pem));
    return { signing: signingKey(key), published: [publicJwk(key.kid, key.material)] };
  };
}

/**
 * How long a retired key stays published: far beyond the longest assertion (300 s), the gateways'
 * key refresh (30 s) and the JWKS cache (300 s). `sekisho keys rotate` drops keys retired before that.
 */
export const retiredKeySeconds = 86_400;
