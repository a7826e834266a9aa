/**
 * The `amr` claim (RFC 8176 authentication method references) for the methods a session proved.
 * Each method gives its RFC 8176 values where one exists, and the method's own name always, so a
 * backend can check either (`pwd` or `password`, `sms` or `SMSOTP`).
 */
const rfc8176: Readonly<Record<string, readonly string[]>> = {
  password: ['pwd'],
  // A code sent by SMS: both "SMS confirmation" and "one-time password".
  SMSOTP: ['sms', 'otp'],
  TOTP: ['otp'],
  // Approval signed by a key the authenticator app keeps in software.
  MAMORU: ['swk'],
  PUSH: ['swk'],
  // A WebAuthn credential with user verification: proof of possession of a hardware-bound key. A
  // proof by a synced passkey records `swk` instead (the session's own values, below).
  PASSKEY: ['hwk', 'user'],
  WEBAUTHN: ['hwk', 'user'],
};

/**
 * `amr` for the proven methods, in the order proven: RFC 8176 values first, then the names. `own`
 * holds the values a proof recorded in place of its method's usual ones (a synced passkey: `swk`).
 */
export function authenticationMethods(
  proven: readonly string[],
  own: Readonly<Record<string, readonly string[]>> = {},
): string[] {
  const values = new Set<string>();
  for (const method of proven) for (const value of own[method] ?? rfc8176[method] ?? []) values.add(value);
  for (const method of proven) values.add(method);
  return [...values];
}
