/**
 * The device API (docs/push.md §2): JSON under `/_sekisho/push/device/`, no cookies and no
 * CSRF token, because every call is signed by the device's key. Answers are never cached.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PATTERNS } from '../../../views/static/push/protocol.js';
import { isDevicePublicKey } from './signatures.ts';
import type { PushService } from '../../ports/push-service.ts';

/**
 * Per client IP per minute. Generous: a whole office's phones may share one NAT address, and an
 * authenticator long-polls its inbox. Every call is signed, so the limits only bound the work.
 */
const LIMITS = { activate: 30, inbox: 600, respond: 120, subscription: 60, test: 30 } as const;

/** Loose on purpose: a malformed signature is a bad signature (401), not a bad request. */
const signature = z.string().max(256);

const activateBody = z.object({
  code: z.string().regex(PATTERNS.code),
  publicKey: z
    .strictObject({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string() })
    .refine(isDevicePublicKey),
  name: z.string().min(1).max(64),
  signature,
});

const inboxBody = z.object({
  deviceId: z.string().regex(PATTERNS.deviceId),
  time: z.int().min(0),
  nonce: z.string().regex(PATTERNS.nonce).optional(),
  signature,
  waitSeconds: z.number().min(0).max(25).default(0),
});

const respondBody = z.object({
  deviceId: z.string().regex(PATTERNS.deviceId),
  transactionId: z.string().regex(PATTERNS.transactionId),
  decision: z.enum(['approve', 'deny', 'report']),
  number: z
    .union([z.string(), z.int()])
    .nullish()
    .transform((n) => (n == null ? '' : String(n)))
    .pipe(z.string().regex(/^([1-9][0-9])?$/)),
  signature,
});

const subscriptionBody = z.object({
  deviceId: z.string().regex(PATTERNS.deviceId),
  time: z.int().min(0),
  nonce: z.string().regex(PATTERNS.nonce),
  signature,
  // `PushSubscription.toJSON()`'s shape; null removes the subscription.
  subscription: z
    .object({
      endpoint: z.string().regex(PATTERNS.endpoint),
      keys: z.object({
        p256dh: z.string().regex(PATTERNS.p256dh),
        auth: z.string().regex(PATTERNS.auth),
      }),
    })
    .nullable(),
  locale: z.enum(['ja', 'en']).default('ja'),
});

const testBody = z.object({
  deviceId: z.string().regex(PATTERNS.deviceId),
  time: z.int().min(0),
  nonce: z.string().regex(PATTERNS.nonce),
  signature,
});

const STATUS = {
  unauthorized: 401,
  no_such_request: 404,
  already_decided: 409,
  invalid: 410,
  bad_signature: 401,
  endpoint_not_allowed: 403,
  web_push_off: 404,
  no_subscription: 404,
} as const;

export async function deviceRoutes(app: FastifyInstance, service: PushService): Promise<void> {
  app.setErrorHandler(deviceErrors);
  const limit = (max: number) => ({ rateLimit: { max, timeWindow: 60_000 } });

  app.post('/_sekisho/push/device/activate', { config: limit(LIMITS.activate) }, async (request, reply) => {
    const body = activateBody.safeParse(request.body);
    if (!body.success) return send(reply, 400, { error: 'bad_request' });
    const result = await service.activate(body.data, clientOf(request));
    if (result.kind === 'activated')
      return send(reply, 200, { deviceId: result.deviceId, userId: result.userId });
    const error = result.kind === 'invalid' ? 'activation_invalid' : 'bad_signature';
    return send(reply, STATUS[result.kind], { error });
  });

  app.post('/_sekisho/push/device/inbox', { config: limit(LIMITS.inbox) }, async (request, reply) => {
    const body = inboxBody.safeParse(request.body);
    if (!body.success) return send(reply, 400, { error: 'bad_request' });
    const { waitSeconds, ...signed } = body.data;
    const result = await service.inbox({ ...signed, waitMs: Math.round(waitSeconds * 1000) });
    if (result.kind === 'ok') return send(reply, 200, { requests: result.requests });
    return send(reply, 401, { error: 'unauthorized' });
  });

  app.post('/_sekisho/push/device/respond', { config: limit(LIMITS.respond) }, async (request, reply) => {
    const body = respondBody.safeParse(request.body);
    if (!body.success) return send(reply, 400, { error: 'bad_request' });
    const result = await service.respond(body.data, clientOf(request));
    if (result.kind === 'decided') return send(reply, 200, { outcome: result.outcome });
    return send(reply, STATUS[result.kind], { error: result.kind });
  });

  app.get('/_sekisho/push/device/web-push-key', async (_request, reply) => {
    const publicKey = await service.webPushKey();
    if (publicKey === null) return send(reply, 404, { error: 'web_push_off' });
    return send(reply, 200, { publicKey });
  });

  app.post(
    '/_sekisho/push/device/subscription',
    { config: limit(LIMITS.subscription) },
    async (request, reply) => {
      const body = subscriptionBody.safeParse(request.body);
      if (!body.success) return send(reply, 400, { error: 'bad_request' });
      const { subscription, ...signed } = body.data;
      const flat = subscription && { endpoint: subscription.endpoint, ...subscription.keys };
      const result = await service.subscribe({ ...signed, subscription: flat });
      if (result.kind === 'subscribed' || result.kind === 'unsubscribed')
        return send(reply, 200, { subscribed: result.kind === 'subscribed' });
      return send(reply, STATUS[result.kind], { error: result.kind });
    },
  );

  app.post('/_sekisho/push/device/test-push', { config: limit(LIMITS.test) }, async (request, reply) => {
    const body = testBody.safeParse(request.body);
    if (!body.success) return send(reply, 400, { error: 'bad_request' });
    const result = await service.testPush(body.data);
    if (result.kind === 'sent') return send(reply, 200, { outcome: result.outcome });
    return send(reply, STATUS[result.kind], { error: result.kind });
  });
}

function send(reply: FastifyReply, status: number, body: unknown) {
  return reply.code(status).header('cache-control', 'no-store').send(body);
}

function clientOf(request: FastifyRequest): { ip: string; userAgent: string } {
  const agent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof agent === 'string' ? agent : '' };
}

/** Bad JSON and rate limits answer in the API's own JSON shape; the rest is logged and 503. */
async function deviceErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode ?? 500;
  if (status === 429) return send(reply.header('retry-after', '60'), 429, { error: 'too_many_requests' });
  if (status >= 400 && status < 500) return send(reply, 400, { error: 'bad_request' });
  request.log.error({ err: error }, 'push device call failed');
  return send(reply, 503, { error: 'unavailable' });
}
