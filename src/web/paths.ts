/**
 * The gateway's own URL paths, in one place: every feature and the gate build their links and
 * redirects from these, so a path is spelled once.
 */

/** Everything the gateway serves itself lives under this prefix; it is never a backend. */
export const ownPrefix = '/_sekisho/';

/** The ID/password page. */
export const loginPath = `${ownPrefix}login`;

/** The MFA dispatcher: the chooser, the ID-only page, or the next method's page. */
export const mfaPath = `${ownPrefix}mfa`;

/** The logout page (GET shows the form, POST ends the session). */
export const logoutPath = `${ownPrefix}logout`;

/** The login page that returns to `next` (a same-origin path) afterwards. */
export function loginUrl(next: string): string {
  return `${loginPath}?next=${encodeURIComponent(next)}`;
}

/** The MFA dispatcher that returns to `next` afterwards. */
export function mfaUrl(next: string): string {
  return `${mfaPath}?next=${encodeURIComponent(next)}`;
}

/** A method's own page under the dispatcher (`/_sekisho/mfa/SMSOTP`). */
export function methodPath(method: string): string {
  return `${mfaPath}/${encodeURIComponent(method)}`;
}

/** The recovery-code login (password and one recovery code), linked from every factor's page. */
export const recoveryPath = `${ownPrefix}recovery`;

/** The recovery-code login that returns to `next` afterwards. */
export function recoveryUrl(next: string): string {
  return `${recoveryPath}?next=${encodeURIComponent(next)}`;
}
