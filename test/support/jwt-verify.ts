import { createPublicKey, verify } from 'node:crypto';
import { request } from 'undici';

/** A JSON Web Key as a JWKS publishes it. */
export interface PublishedKey {
  readonly kid: string;
  readonly kty: string;
  readonly crv: string;
  readonly x: string;
  readonly y: string;
  readonly alg?: string;
}

export interface VerifiedToken {
  readonly header: { alg: string; kid: string; typ?: string };
  readonly claims: Record<string, unknown>;
}

/** The gateway's JWKS, read over HTTP. */
export async function fetchJwks(base: string): Promise<{ keys: PublishedKey[]; cacheControl: string }> {
  const response = await request(`${base}/_sekisho/.well-known/jwks.json`);
  if (response.statusCode !== 200) throw new Error(`JWKS answered ${response.statusCode}`);
  const cacheControl = String(response.headers['cache-control'] ?? '');
  return { ...((await response.body.json()) as { keys: PublishedKey[] }), cacheControl };
}

/**
 * Verifies a compact ES256 JWS with node:crypto against a JWKS — an implementation other than the
 * one that signs (jose) — and checks `exp` against `nowMs`. Throws on any failure.
 */
export function verifyEs256(token: string, keys: readonly PublishedKey[], nowMs: number): VerifiedToken {
  const [encodedHeader, encodedClaims, signature, ...extra] = token.split('.');
  if (!encodedHeader || !encodedClaims || !signature || extra.length > 0)
    throw new Error('not a compact JWS');
  const header = JSON.parse(
    Buffer.from(encodedHeader, 'base64url').toString('utf8'),
  ) as VerifiedToken['header'];
  if (header.alg !== 'ES256') throw new Error(`alg ${header.alg}`);
  const jwk = keys.find((key) => key.kid === header.kid);
  if (!jwk) throw new Error(`kid ${header.kid} is not published`);
  const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
  const signed = Buffer.from(`${encodedHeader}.${encodedClaims}`);
  const ok = verify(
    'sha256',
    signed,
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!ok) throw new Error('bad signature');
  const claims = JSON.parse(Buffer.from(encodedClaims, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= nowMs) throw new Error('expired');
  return { header, claims };
}
