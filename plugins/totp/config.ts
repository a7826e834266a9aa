/** The schema of `plugins.TOTP`. */
import { z } from 'zod';

export const totpConfigSchema = z.strictObject({
  /** The issuer shown in authenticator apps and written in the otpauth URI. */
  issuer: z
    .string({ error: 'must be a string' })
    .min(1, { error: 'must not be empty' })
    .max(64, { error: 'must be at most 64 characters' })
    .refine((text) => !text.includes(':'), { error: 'must not contain ":"' })
    .default('Sekisho'),
  /** Whether the method is offered (on by default: it needs nothing outside the gateway). */
  enabled: z.boolean({ error: 'must be true or false' }).default(true),
});

/** The parsed `plugins.TOTP` section. */
export type TotpConfig = z.output<typeof totpConfigSchema>;
