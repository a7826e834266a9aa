/**
 * The plugin's configuration, `plugins.MAMORU`: which push service to use. `'local'` is the
 * gateway's own (docs/push.md, `push.enabled`); an object names a remote Mamoru-style service
 * (docs/push.md §5), e.g. another Sekisho gateway's `/_sekisho/push/api`.
 */
import { z } from 'zod';
import type { GatewaySettings } from '../../src/plugin-api.ts';

/** https anywhere; plain http only to this host (a service beside the gateway, or a test fake). */
function isAllowedServiceUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const plainAllowed = url.protocol === 'http:' && url.hostname === '127.0.0.1';
  if (url.protocol !== 'https:' && !plainAllowed) return false;
  // Credentials belong in apiKey (never logged), not in a URL that may end up in a log line.
  return url.username === '' && url.password === '' && url.search === '' && url.hash === '';
}

const remoteServiceSchema = z.strictObject({
  /** Base URL; the calls go to `<url>/v1/auth/start|poll|verify`. */
  url: z
    .string({ error: 'must be a string' })
    .refine(isAllowedServiceUrl, {
      error: 'must be an https URL (http only for 127.0.0.1), without credentials, query or fragment',
    })
    .transform((url) => url.replace(/\/+$/, '')),
  /** Bearer key of this gateway at the service. */
  apiKey: z.string({ error: 'must be a string' }).min(32, { error: 'must be at least 32 characters' }),
  /** Bound on each call, connect to last byte. */
  timeoutMs: z
    .int({ error: 'must be an integer from 100 to 60000' })
    .min(100, { error: 'must be an integer from 100 to 60000' })
    .max(60_000, { error: 'must be an integer from 100 to 60000' })
    .default(5000),
});

/** The parsed `service`. */
export type RemoteServiceConfig = z.output<typeof remoteServiceSchema>;

const SERVICE_SHAPE = "must be 'local' or {url, apiKey, timeoutMs}";

/**
 * `'local'` or a remote service. Not a zod union: a union reports a missing key of the object form
 * as "matches neither", where the key path of the actual problem is what an operator needs.
 */
const serviceSchema = z.unknown().transform((value, ctx): 'local' | RemoteServiceConfig => {
  if (value === 'local') return 'local';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: SERVICE_SHAPE });
    return z.NEVER;
  }
  const parsed = remoteServiceSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  }
  return z.NEVER;
});

/** Schema of `plugins.MAMORU`. */
export const mamoruConfigSchema = z.strictObject({
  /** `'local'`: the gateway's push service; `{url, apiKey, timeoutMs}`: a remote one. */
  service: serviceSchema.default('local'),
});

/** The parsed `plugins.MAMORU` section. */
export type MamoruConfig = z.output<typeof mamoruConfigSchema>;

/**
 * Offered when a push service is there to ask: a remote one always, the local one unless the
 * gateway runs with `push.enabled: false`.
 */
export function isMamoruEnabled(config: MamoruConfig, gateway: GatewaySettings): boolean {
  return config.service !== 'local' || gateway.push.enabled;
}
