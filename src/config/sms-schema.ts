/**
 * The `sms` config section: which SMS provider(s) deliver OTP codes, in failover order, and their
 * credentials. Provider credentials are optional in the shape and required only when that provider
 * is selected, so that a sandbox-only deployment needs no Karaden account.
 */
import { z } from 'zod';
import { httpUrl, intIn } from './primitives.ts';

/** SMS providers known to the core. */
export const SMS_PROVIDERS = ['karaden', 'sandbox'] as const;

/** Name of an SMS provider known to the core. */
export type SmsProviderName = (typeof SMS_PROVIDERS)[number];

const providerName = z.enum(SMS_PROVIDERS, { error: 'must be "karaden" or "sandbox"' });

const providerList = z
  .array(providerName)
  .min(1, { error: 'must list at least one provider' })
  .refine((list) => new Set(list).size === list.length, { error: 'must not list a provider twice' });

const karadenSchema = z.strictObject({
  baseUrl: httpUrl.default('https://prg.karaden.jp/api'),
  tenantId: z.guid({ error: 'must be a UUID' }).optional(),
  serviceId: z
    .int({ error: 'must be a positive integer' })
    .positive({ error: 'must be a positive integer' })
    .optional(),
  /** Secret API token. */
  token: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional(),
  version: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be an API version date such as 2024-03-01' })
    .default('2024-03-01'),
  timeoutMs: intIn(100, 120_000).default(5000),
});

/** Karaden credentials that must be present once Karaden is selected. */
const KARADEN_REQUIRED = ['tenantId', 'serviceId', 'token'] as const;

/** The `sms` section schema. */
export const smsSchema = z
  .strictObject({
    provider: z
      .union([providerName, providerList], {
        error: 'must be "karaden", "sandbox" or a list of them (failover order)',
      })
      .default('sandbox'),
    karaden: karadenSchema.optional(),
    /** Development only (docs/sms.md): `sekisho doctor` reports either switch as a high finding. */
    sandbox: z
      .strictObject({
        /** Lets the sandbox provider "send": codes never leave the gateway. */
        enabled: z.boolean().default(false),
        /**
         * Serves what the sandbox "sent", live codes included, at `/_sekisho/sandbox/sms` to anyone.
         * Separate from `enabled` so that a sandbox in a failover list never publishes codes; the
         * demo turns both on by itself.
         */
        page: z.boolean().default(false),
      })
      .prefault({}),
    /** Shared secret that authenticates delivery-report callbacks from the provider. */
    callbackSecret: z
      .string({ error: 'must be a string' })
      .min(16, { error: 'must be at least 16 characters' })
      .optional(),
  })
  .superRefine((sms, ctx) => {
    if (!providersOf(sms.provider).includes('karaden')) return;
    for (const key of KARADEN_REQUIRED) {
      if (sms.karaden?.[key] === undefined) {
        // Reported at the missing key itself so the message points where the fix goes.
        ctx.addIssue({
          code: 'custom',
          path: ['karaden', key],
          message: 'required when sms.provider includes karaden',
        });
      }
    }
  });

function providersOf(provider: SmsProviderName | readonly SmsProviderName[]): SmsProviderName[] {
  // Array.isArray rather than typeof: refinements may see a not-yet-valid value.
  return Array.isArray(provider) ? [...provider] : [provider as SmsProviderName];
}

/**
 * The configured SMS providers in failover order, whether `sms.provider` was given as a single name
 * or as a list.
 */
export function smsProviders(config: {
  readonly sms: { readonly provider: SmsProviderName | readonly SmsProviderName[] };
}): SmsProviderName[] {
  return providersOf(config.sms.provider);
}
