/**
 * Secrets at rest (TOTP seeds, signing keys, VAPID keys): sealed with a key only the gateway
 * holds, one key per purpose. See adapters/crypto/sealed-box.ts.
 */
export interface SealedBox {
  /** A sealed, self-describing string; sealing the same text twice gives different strings. */
  seal(plaintext: string): string;
  /** The plaintext; throws for a box this key did not seal or that was altered. */
  open(sealed: string): string;
}
