import { loginPath } from '../../web/paths.ts';
import type { FastifyInstance } from 'fastify';
import type { LoginDeps } from './deps.ts';
import { sendMessage, sendPage } from '../../web/pages.ts';
import { clearSessionCookie, clientOf, cookieNames } from '../../web/session-cookie.ts';

/** GET shows a confirmation form (no state change on GET); POST ends the session everywhere. */
export async function logoutRoutes(app: FastifyInstance, gateway: LoginDeps) {
  const sessionCookie = cookieNames(gateway.config).session;

  app.get('/_sekisho/logout', async (request, reply) => {
    return sendPage(request, reply, 200, 'logout', (t) => t.logoutTitle, { csrf: reply.csrfToken() });
  });

  app.post('/_sekisho/logout', { preHandler: app.csrfProtection }, async (request, reply) => {
    const session = await gateway.sessions.read(request.cookies[sessionCookie]);
    if (session) {
      await gateway.sessions.end(session);
      const client = clientOf(request);
      await gateway.audit.record({
        event: 'session.logout',
        outcome: 'success',
        userId: session.data.userId,
        actor: session.data.userId,
        ip: client.ip,
        userAgent: client.userAgent,
      });
    }
    clearSessionCookie(reply, gateway.config);
    return sendMessage(request, reply, {
      status: 200,
      tone: 'info',
      title: (t) => t.loggedOutTitle,
      message: (t) => t.loggedOut,
      link: { href: loginPath, label: (t) => t.loginAgain },
    });
  });
}
