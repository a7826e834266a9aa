/**
 * The plugin's configuration: the schema of its own `plugins.SMSOTP` section, and what it makes of
 * the core's `sms` section, which the core's schema has already parsed (the plugin receives it as
 * `ctx.gateway.sms`, and never parses it again).
 */
import { z } from 'zod';
import type { GatewaySettings, SmsConfig } from '../../src/plugin-api.ts';
import type { KaradenSettings } from './providers/karaden.ts';

/** A custom SMS template: the human-readable part, which must show the code. */
const smsTemplate = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(560, { error: 'must be at most 560 characters (the SMS limit is 660)' })
  .refine((text) => text.includes('{code}'), { error: 'must contain the {code} placeholder' });

/** Schema of `plugins.SMSOTP`. */
export const smsOtpConfigSchema = z.strictObject({
  /** SMS text per language, with `{code}`, `{minutes}` and `{host}` placeholders. */
  templates: z.strictObject({ ja: smsTemplate.optional(), en: smsTemplate.optional() }).optional(),
  /** IANA zone for the clock times on the OTP and sandbox pages; omitted: the gateway's `timeZone`. */
  timeZone: z
    .string()
    .refine(isTimeZone, { error: 'must be an IANA time zone such as Asia/Tokyo' })
    .optional(),
});

/** The parsed `plugins.SMSOTP` section. */
export type SmsOtpConfig = z.output<typeof smsOtpConfigSchema>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A provider that can actually send, with what it needs. */
export type UsableProvider =
  { readonly name: 'karaden'; readonly karaden: KaradenSettings } | { readonly name: 'sandbox' };

/**
 * The providers of `sms.provider`, in failover order, that can actually send: Karaden only with its
 * credentials, the sandbox only when `sms.sandbox.enabled` says so (never by default).
 */
export function usableProviders(sms: SmsConfig): UsableProvider[] {
  const names = Array.isArray(sms.provider) ? sms.provider : [sms.provider];
  const usable: UsableProvider[] = [];
  for (const name of names) {
    if (name === 'sandbox' && sms.sandbox.enabled) usable.push({ name });
    if (name === 'karaden') {
      const k = sms.karaden;
      if (k?.tenantId === undefined || k.serviceId === undefined || k.token === undefined) continue;
      usable.push({ name, karaden: { ...k, tenantId: k.tenantId, serviceId: k.serviceId, token: k.token } });
    }
  }
  return usable;
}

/** Offered only when some provider can really send: Karaden with credentials, or the enabled sandbox. */
export function isSmsOtpEnabled(_config: SmsOtpConfig, gateway: GatewaySettings): boolean {
  return usableProviders(gateway.sms).length > 0;
}
