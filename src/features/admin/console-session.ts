import type { FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_PREFIX } from '../../core/rule-engine.ts';
import { decideLocated, locateRule } from '../../domain/rules/decide.ts';
import type { AdminDeps } from './deps.ts';
import { sendMessage, wantsHtml } from '../../web/pages.ts';
import { clientOf } from '../../web/session-cookie.ts';

/**
 * The gate has already decided the console's path by the rules. This hook is the second lock,
 * so that no spelling of a path that the gate decided by another rule reaches the console: the
 * console decides its own rule again, on the path that was routed here, with the session the
 * gate found (the user must be allowed and have proven the rule's methods); whatever the rule
 * says (say someone made it BYPASS), it acts only for a session, and only in that session's name.
 */
export function requireConsoleSession(gateway: Pick<AdminDeps, 'rules' | 'catalogue' | 'clock'>) {
  return async function consoleGuard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const refusal = consoleRefusal(gateway, request);
    if (refusal === null) return;
    request.log.warn({ path: request.url.split('?')[0], user: request.gatewaySession?.data.userId }, refusal);
    await forbidden(request, reply);
  };
}

function consoleRefusal(
  gateway: Pick<AdminDeps, 'rules' | 'catalogue' | 'clock'>,
  request: FastifyRequest,
): string | null {
  const session = request.gatewaySession;
  if (session === null) return 'admin console refused: no session (is the rule BYPASS?)';
  const path = request.url.split('?')[0] ?? '';
  const located = locateRule(gateway.rules.current, {
    host: request.headers.host ?? null,
    rawPath: path,
    client: request.ip,
  });
  if (located.kind !== 'located' || !located.rule.prefix.startsWith(ADMIN_PREFIX))
    return 'admin console refused: the path was not decided by a console rule';
  if (decideLocated(located, session.data, gateway.catalogue, gateway.clock.now()).kind !== 'allow')
    return 'admin console refused: the session does not satisfy the console rule';
  return null;
}

async function forbidden(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!wantsHtml(request)) {
    await reply.code(403).header('cache-control', 'no-store').send({ error: 'forbidden' });
    return;
  }
  await sendMessage(request, reply, {
    status: 403,
    message: (t) => t.forbidden,
    detail: (t) => t.forbiddenDetail,
  });
}

/** The admin acting, for the audit trail: the session's user ID, IP and user agent. */
export function actorOf(request: FastifyRequest): { id: string; ip: string; userAgent: string } {
  const session = request.gatewaySession;
  // requireConsoleSession runs first on every console route, so the session is there.
  if (!session) throw new Error('admin console route without a session');
  const client = clientOf(request);
  return { id: session.data.userId, ip: client.ip, userAgent: client.userAgent };
}
