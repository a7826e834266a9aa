/**
 * Passkeys (WebAuthn credentials) in the auth DB: the part of a `PASSKEY` credential the ceremonies
 * need. Each is tied to a general credential record (ports/credentials.ts: name, created, last
 * used), which listings, renaming and removal go through; removing that record removes this.
 */

/** What a registration ceremony established. */
export interface NewWebAuthnCredential {
  /** base64url of the raw credential ID. */
  readonly credentialId: string;
  /** base64url of the WebAuthn user handle the authenticator keeps. */
  readonly userHandle: string;
  /** base64url of the COSE public key. */
  readonly publicKey: string;
  readonly signCount: number;
  /** How the browser can reach the authenticator (`internal`, `hybrid`, `usb`, …). */
  readonly transports: readonly string[];
  /** Backed up (a synced passkey) when registered or last used. */
  readonly backedUp: boolean;
  /** Backup eligible: the provider may sync it to other devices. */
  readonly multiDevice: boolean;
  /** The authenticator model's AAGUID (all zeros when the authenticator does not say). */
  readonly aaguid: string;
}

/** A stored passkey with the general record it belongs to. */
export interface StoredWebAuthnCredential extends NewWebAuthnCredential {
  /** The general credential record's ID: what listings, renaming and removal name. */
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
}

/** Passkeys, per user and by credential ID. Times come from the caller's clock. */
export interface WebAuthnCredentialRepository {
  /** Adds a passkey and its general record (method `method`, named `name`) in one transaction. */
  add(
    userId: string,
    method: string,
    name: string,
    credential: NewWebAuthnCredential,
    now: number,
  ): Promise<StoredWebAuthnCredential>;
  /** The passkey with this credential ID, whoever it belongs to, or null. */
  find(credentialId: string): Promise<StoredWebAuthnCredential | null>;
  /** The user's passkeys, oldest first. */
  list(userId: string): Promise<StoredWebAuthnCredential[]>;
  /**
   * Records a use: the counter moves from `expected` to `next` (and the backed-up flag and "last
   * used" are updated) only while it still reads `expected`; false when another use got there first.
   */
  recordUse(
    credentialId: string,
    expected: number,
    next: number,
    backedUp: boolean,
    now: number,
  ): Promise<boolean>;
}
