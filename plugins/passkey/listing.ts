/** A passkey as "my authenticators" and the admin console list it. */
import type { CredentialListing, Locale, StoredWebAuthnCredential } from '../../src/plugin-api.ts';
import { messages } from './messages.ts';

/**
 * Synced (may live on several devices) or bound to one: what the listing's detail says, in
 * `locale` (Japanese where the caller does not say).
 */
export function listing(credential: StoredWebAuthnCredential, locale: Locale = 'ja'): CredentialListing {
  const pt = messages[locale];
  return {
    id: credential.id,
    name: credential.name,
    detail: credential.multiDevice || credential.backedUp ? pt.synced : pt.deviceBound,
    createdAt: credential.createdAt,
    lastUsedAt: credential.lastUsedAt,
  };
}
