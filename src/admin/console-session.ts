import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendMessage, wantsHtml } from '../http/pages.ts';
import { clientOf } from '../http/session-cookie.ts';

/**
 * The gate has already decided the console's path by the rules. This hook is the second lock:
 * whatever the rule says (say someone made it BYPASS), the console acts only for a session, and
 * only ever in that session's name.
 */
export async function requireConsoleSession(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.gatewaySession !== null) return;
  request.log.warn(
    { path: request.url.split('?')[0] },
    'admin console refused: no session (is the rule BYPASS?)',
  );
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
