/** The schema of `plugins.PASSKEY` (docs/passkeys.md). */
import { z } from 'zod';

const AAGUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const passkeyConfigSchema = z.strictObject({
  /** Whether the method is offered (on by default: it needs nothing outside the gateway). */
  enabled: z.boolean({ error: 'must be true or false' }).default(true),
  /** The relying party's name, shown by some authenticators when a passkey is made. */
  rpName: z
    .string({ error: 'must be a string' })
    .min(1, { error: 'must not be empty' })
    .max(64, { error: 'must be at most 64 characters' })
    .default('Sekisho'),
  /** How long a ceremony's challenge lives, from the page to the answer. */
  challengeTtlSeconds: z
    .int({ error: 'must be an integer from 30 to 600' })
    .min(30, { error: 'must be an integer from 30 to 600' })
    .max(600, { error: 'must be an integer from 30 to 600' })
    .default(300),
  /**
   * Authenticator models (AAGUIDs) that may be registered; empty (the default) accepts any. A list
   * asks for `direct` attestation and refuses passkeys whose model is not attested or not listed.
   */
  allowedAaguids: z
    .array(
      z
        .string({ error: 'must be a string' })
        .transform((id) => id.toLowerCase())
        .refine((id) => AAGUID.test(id), { error: 'must be an AAGUID (8-4-4-4-12 hexadecimal digits)' }),
      { error: 'must be a list of AAGUIDs' },
    )
    .default([]),
});

/** The parsed `plugins.PASSKEY` section. */
export type PasskeyConfig = z.output<typeof passkeyConfigSchema>;
