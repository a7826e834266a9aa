/**
 * RFC 6238 through the otpauth library: HMAC-SHA1, 6 digits, 30-second steps. This file only fixes
 * the parameters and says which step a code matched, so that the caller can refuse a second use of it.
 */
import * as OTPAuth from 'otpauth';

export const PERIOD_SECONDS = 30;
export const DIGITS = 6;
/** Steps of clock skew accepted either side of the current one. */
export const WINDOW = 1;

/** A new 160-bit secret, Base32 (RFC 4226 recommends 160 bits for HMAC-SHA1). */
export function newSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

function totpFor(secret: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_SECONDS,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

/** The code of the step that `timestamp` falls in. */
export function codeAt(secret: string, timestamp: number): string {
  return totpFor(secret).generate({ timestamp });
}

/** The step (counter) a code matches within ±{@link WINDOW} of `timestamp`, or null. */
export function matchingStep(secret: string, code: string, timestamp: number): number | null {
  if (!new RegExp(`^\\d{${DIGITS}}$`).test(code)) return null;
  const delta = totpFor(secret).validate({ token: code, timestamp, window: WINDOW });
  if (delta === null) return null;
  return OTPAuth.TOTP.counter({ period: PERIOD_SECONDS, timestamp }) + delta;
}

/**
 * `otpauth://totp/<issuer>:<id>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`: what
 * authenticator apps scan. Issuer and ID are percent-encoded.
 */
export function otpauthUri(issuer: string, userId: string, secret: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(userId)}`;
  const query = `secret=${secret}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=${DIGITS}&period=${PERIOD_SECONDS}`;
  return `otpauth://totp/${label}?${query}`;
}
