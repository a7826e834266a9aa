/**
 * The `push` config section: the push service Sekisho runs in the gateway process for the
 * MAMORU method (docs/push.md). Limits follow the protocol: a push waits at most two minutes
 * and its tokens live at most two minutes.
 */
import { createECDH } from 'node:crypto';
import { z } from 'zod';
import { intIn } from './primitives.ts';
import { parseEndpointPrefix, VENDOR_PUSH_SERVICES } from '../domain/push/push-endpoints.ts';

/** A P-256 public key, uncompressed (65 bytes), base64url: what browsers take as applicationServerKey. */
const vapidPublicKey = z.string({ error: 'must be a string' }).regex(/^B[A-Za-z0-9_-]{86}$/, {
  error: 'must be a P-256 public key: 65 bytes, base64url (87 characters)',
});
/** A P-256 private scalar (32 bytes), base64url. */
const vapidPrivateKey = z.string({ error: 'must be a string' }).regex(/^[A-Za-z0-9_-]{43}$/, {
  error: 'must be a P-256 private key: 32 bytes, base64url (43 characters)',
});

const endpointPrefix = z.string({ error: 'must be a string' }).superRefine((entry, ctx) => {
  const parsed = parseEndpointPrefix(entry);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
});

/**
 * `push.webPush`: Web Push (RFC 8030/8291/8292) to the phones' browsers, so a push reaches a
 * phone whose authenticator page is closed (docs/push.md#web-push).
 */
export const webPushSchema = z
  .strictObject({
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
    /** The VAPID contact (`mailto:` or `https:`); omitted: publicUrl when https, else a mailto: at its host. */
    subject: z
      .string({ error: 'must be a string' })
      .regex(/^(mailto:[^\s@]+@[^\s@]+|https:\/\/[^\s]+)$/, { error: 'must be a mailto: or https: URL' })
      .optional(),
    /** Both or neither; omitted: generated once and kept in Postgres for every instance. */
    vapidPublicKey: vapidPublicKey.optional(),
    vapidPrivateKey: vapidPrivateKey.optional(),
    /** URL prefixes (matched at a `/`) or `https://*.host/` wildcards the gateway may post to. */
    allowedEndpoints: z.array(endpointPrefix).default([...VENDOR_PUSH_SERVICES]),
    /** An HTTP proxy for the pushes (`http://proxy:3128`); `HTTPS_PROXY` sets it too. */
    proxy: z.url({ protocol: /^https?$/, error: 'Invalid URL (expected http:// or https://)' }).optional(),
    /** How long one send may take before it counts as failed. */
    timeoutMs: intIn(500, 30_000).default(5000),
  })
  .superRefine((w, ctx) => {
    if ((w.vapidPublicKey === undefined) !== (w.vapidPrivateKey === undefined)) {
      const missing = w.vapidPublicKey === undefined ? 'vapidPublicKey' : 'vapidPrivateKey';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'give both VAPID keys or neither' });
    } else if (w.vapidPublicKey && w.vapidPrivateKey && !isKeyPair(w.vapidPublicKey, w.vapidPrivateKey)) {
      ctx.addIssue({
        code: 'custom',
        path: ['vapidPrivateKey'],
        message: 'is not the private half of vapidPublicKey',
      });
    }
  });

/** Whether the private scalar gives the public point (both base64url). */
function isKeyPair(publicKey: string, privateKey: string): boolean {
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(privateKey, 'base64url'));
    return ecdh.getPublicKey().toString('base64url') === publicKey;
  } catch {
    return false;
  }
}

export type WebPushConfig = z.output<typeof webPushSchema>;

const apiKey = z.string({ error: 'must be a string' }).min(32, { error: 'must be at least 32 characters' });

export const pushSchema = z.strictObject({
  /** Run the push service (device API, authenticator page) in this gateway. */
  enabled: z.boolean({ error: 'must be true or false' }).default(true),
  /** How long an activation link stays usable. */
  activationTtlSeconds: intIn(60, 3600).default(600),
  /** How long a push waits for the phone. */
  requestTtlSeconds: intIn(10, 120).default(60),
  /** How long the browser has to present the tokens after the approval. */
  tokenTtlSeconds: intIn(10, 120).default(120),
  /** Push-bombing cap: pushes one user may be sent per window. */
  maxPendingPerUser: intIn(1, 20).default(3),
  pendingWindowSeconds: intIn(10, 86_400).default(300),
  /** The phone must pick the number shown on the login page among three. */
  numberMatching: z.boolean({ error: 'must be true or false' }).default(true),
  /** How long a browser/IP pair counts as known after a successful login. */
  knownEnvironmentDays: intIn(1, 3650).default(90),
  /** Bearer keys that may call the Mamoru-style API at /_sekisho/push/api/ (other gateways). */
  apiKeys: z.array(apiKey).default([]),
  /** Web Push: notifications that reach a phone whose authenticator page is closed. */
  webPush: webPushSchema.prefault({}),
});

export type PushConfig = z.output<typeof pushSchema>;
