/**
 * How a typed user ID is read at login. User IDs are ASCII (letters, digits, `._@-`), told apart
 * without letter case, as Microsoft Entra, Okta and Active Directory do: phones capitalise the
 * first letter and a Japanese IME may be left in full-width mode, and neither should lock anyone
 * out. So the typed ID is NFKC-normalised (`ｄｅｍｏ` → `demo`) and trimmed; the user store then
 * finds the one user whose ID equals it in any letter case.
 */
export function normaliseLoginId(typed: string): string {
  return typed.normalize('NFKC').trim();
}
