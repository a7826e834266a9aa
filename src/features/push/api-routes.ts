/**
 * The Mamoru-style API (docs/push.md §5) under `/_sekisho/push/api/v1/auth/`, so that other
 * gateways can use this one's push service: a Bearer key from `push.apiKeys`, snake_case JSON,
 * `{status: '0000', …}` or `{status: '14xx' | '1500', message}`. Business outcomes are HTTP 200.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PushService } from '../../ports/push-service.ts';
import type { PushState } from '../../plugin-api.ts';

const startBody = z.object({
  user_id: z.string().min(1).max(256),
  ip: z.string().min(1).max(128),
  user_agent: z.string().max(1024),
  // Shown on the phone as the app's path: a same-origin path, never a URL.
  path: z.string().max(2048).startsWith('/'),
  decoy: z.boolean(),
});

const pollBody = z.object({ transaction_id: z.string().max(64) });

const verifyBody = z.object({
  transaction_id: z.string().max(64),
  user_id: z.string().min(1).max(256),
  token1: z.string().max(64),
  token2: z.string().max(64),
});

const BASE = '/_sekisho/push/api/v1/auth';

export async function apiRoutes(
  app: FastifyInstance,
  service: PushService,
  apiKeys: readonly string[],
): Promise<void> {
  const keys = apiKeys.map(digest);
  app.setErrorHandler(apiErrors);
  // Before the body is read: a caller without a key learns nothing, not even whether its JSON parses.
  app.addHook('onRequest', async (request, reply) => {
    if (!hasApiKey(request.headers.authorization, keys)) return send(reply, 401, '1403', 'bad API key');
  });

  app.post(`${BASE}/start`, async (request, reply) => {
    const body = startBody.safeParse(request.body);
    if (!body.success) return badRequest(reply);
    const { user_id: userId, user_agent: userAgent, ip, path, decoy } = body.data;
    const result = await service.start({ userId, ip, userAgent, path, decoy });
    if (result.kind === 'busy') return send(reply, 200, '1429', 'too many pending requests', result.retryAt);
    if (result.kind === 'unavailable') return send(reply, 500, '1500', 'unavailable');
    const { transactionId, number, expiresAt } = result;
    return ok(reply, { transaction_id: transactionId, number, expires_at: expiresAt });
  });

  app.post(`${BASE}/poll`, async (request, reply) => {
    const body = pollBody.safeParse(request.body);
    if (!body.success) return badRequest(reply);
    const result = await service.poll(body.data.transaction_id);
    if (result.kind === 'unavailable') return send(reply, 500, '1500', 'unavailable');
    return ok(reply, { state: wireState(result.state), ...result.tokens });
  });

  app.post(`${BASE}/verify`, async (request, reply) => {
    const body = verifyBody.safeParse(request.body);
    if (!body.success) return badRequest(reply);
    const { transaction_id: transactionId, user_id: userId, token1, token2 } = body.data;
    if (await service.verifyRemote({ transactionId, userId, token1, token2 })) return ok(reply, {});
    return send(reply, 200, '1401', 'refused');
  });
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** Equal-length digests compared in constant time, against every key (no early exit). */
function hasApiKey(header: string | undefined, keys: readonly Buffer[]): boolean {
  const match = /^Bearer ([^\s]+)$/.exec(header ?? '');
  const given = digest(match?.[1] ?? '');
  let found = false;
  for (const key of keys) found = timingSafeEqual(given, key) || found;
  return found && match !== null;
}

function ok(reply: FastifyReply, fields: Record<string, unknown>) {
  return reply
    .code(200)
    .header('cache-control', 'no-store')
    .send({ status: '0000', ...fields });
}

/** An outcome other than success; `retryAt` (ms) says when a refused start can work again. */
function send(reply: FastifyReply, http: number, status: string, message: string, retryAt?: number) {
  const retry = retryAt === undefined ? {} : { retry_at: retryAt };
  return reply
    .code(http)
    .header('cache-control', 'no-store')
    .send({ status, message, ...retry });
}

function badRequest(reply: FastifyReply) {
  return send(reply, 400, '1400', 'bad request');
}

async function apiErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return badRequest(reply);
  request.log.error({ err: error }, 'push API call failed');
  return send(reply, 500, '1500', 'internal error');
}

/**
 * The Mamoru-style API keeps its five states: a push ended by a revoked phone is `denied` there, so
 * a client that knows only those ends it at once too (instead of waiting for the expiry).
 */
function wireState(state: PushState): Exclude<PushState, 'revoked'> {
  return state === 'revoked' ? 'denied' : state;
}
