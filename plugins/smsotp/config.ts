/**
 * The plugin's configuration: its own `plugins.SMSOTP` section, and the core's `otp` and `sms`
 * sections read back from the gateway config. The core has already validated those; they are
 * re-parsed here with small local schemas (plugins may not import `src/config`) that fill in the
 * same defaults and strip what the plugin does not use.
 */
import { z } from 'zod';
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
  /** IANA zone for the expiry clock time on the OTP page; omitted: the server's zone. */
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

const otpSettingsSchema = z.object({
  length: z.int().min(4).max(8).default(6),
  ttlSeconds: z.int().min(1).max(600).default(300),
  maxAttempts: z.int().min(1).default(5),
  resendCooldownSeconds: z.int().min(0).default(30),
  maxSendsPerWindow: z.int().min(1).default(5),
  sendWindowSeconds: z.int().min(1).default(3600),
  globalMaxSendsPerMinute: z.int().min(1).default(60),
});

/** The core's `otp` section, as this plugin uses it. */
export type OtpSettings = z.output<typeof otpSettingsSchema>;

const providerName = z.enum(['karaden', 'sandbox']);

const smsSettingsSchema = z.object({
  provider: z.union([providerName, z.array(providerName)]).default('sandbox'),
  karaden: z
    .object({
      baseUrl: z.string().default('https://prg.karaden.jp/api'),
      tenantId: z.string().optional(),
      serviceId: z.int().optional(),
      token: z.string().optional(),
      version: z.string().default('2024-03-01'),
      timeoutMs: z.int().min(1).default(5000),
    })
    .optional(),
  sandbox: z.object({ enabled: z.boolean().default(false), page: z.boolean().default(false) }).prefault({}),
  callbackSecret: z.string().optional(),
});

/** The core's `sms` section, as this plugin uses it. */
export type SmsSettings = z.output<typeof smsSettingsSchema>;

/** Everything the plugin reads from the gateway config. */
export interface GatewaySettings {
  readonly otp: OtpSettings;
  readonly sms: SmsSettings;
  readonly publicUrl: string;
}

/** Reads `otp`, `sms` and `publicUrl` from the gateway config; throws when they do not parse. */
export function readGatewaySettings(gatewayConfig: Readonly<Record<string, unknown>>): GatewaySettings {
  return {
    otp: otpSettingsSchema.parse(gatewayConfig.otp ?? {}),
    sms: smsSettingsSchema.parse(gatewayConfig.sms ?? {}),
    publicUrl: z.string().parse(gatewayConfig.publicUrl),
  };
}

/** A provider that can actually send, with what it needs. */
export type UsableProvider =
  { readonly name: 'karaden'; readonly karaden: KaradenSettings } | { readonly name: 'sandbox' };

/**
 * The providers of `sms.provider`, in failover order, that can actually send: Karaden only with its
 * credentials, the sandbox only when `sms.sandbox.enabled` says so (never by default).
 */
export function usableProviders(sms: SmsSettings): UsableProvider[] {
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

/** True when the gateway config names at least one provider that can send. */
export function hasUsableProvider(gatewayConfig: Readonly<Record<string, unknown>>): boolean {
  const sms = smsSettingsSchema.safeParse(gatewayConfig.sms ?? {});
  return sms.success && usableProviders(sms.data).length > 0;
}
