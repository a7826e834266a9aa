import { methodPath, mfaUrl } from '../../web/paths.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ActiveSession } from '../../core/session-service.ts';
import type { LoginDeps } from './deps.ts';
import type { Messages } from '../../web/i18n.ts';
import { brandingLogoRoute } from './branding-route.ts';
import { missingMethods } from './mfa-step.ts';
import { safeReturnPath, sendPage } from '../../web/pages.ts';
import { clientOf, setSessionCookie, cookieNames } from '../../web/session-cookie.ts';

interface LoginBody {
  username?: unknown;
  password?: unknown;
  next?: unknown;
}

/** ID/password login: the form, the check, a new session ID, and the way on. */
export async function loginRoutes(app: FastifyInstance, gateway: LoginDeps) {
  const { password } = gateway.config;
  const sessionCookie = cookieNames(gateway.config).session;
  // The login page is where the organisation's logo is first seen; every page shows it.
  brandingLogoRoute(app);

  app.get('/_sekisho/login', async (request, reply) => {
    const query = request.query as { next?: unknown };
    return showLogin(gateway, request, reply, 200, safeReturnPath(query.next), '', null);
  });

  app.post<{ Body: LoginBody }>(
    '/_sekisho/login',
    {
      preHandler: app.csrfProtection,
      config: { rateLimit: { max: password.ipMaxAttempts, timeWindow: password.ipWindowSeconds * 1000 } },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const next = safeReturnPath(body.next);
      const username = typeof body.username === 'string' ? body.username.trim().slice(0, 128) : '';
      const secret = typeof body.password === 'string' ? body.password.slice(0, 1024) : '';
      const client = clientOf(request);
      const result = await gateway.passwordLogin.attempt(username, secret, client);
      gateway.metrics.logins.inc({ method: 'password', outcome: result.ok ? 'success' : 'failure' });
      if (!result.ok) {
        request.log.info({ user: username.slice(0, 64), reason: result.reason }, 'password rejected');
        return showLogin(gateway, request, reply, 401, next, username, 'loginFailed');
      }
      const previous = await gateway.sessions.read(request.cookies[sessionCookie]);
      const session = await gateway.sessions.prove(previous, result.user, 'password', client);
      setSessionCookie(reply, gateway.config, session.token);
      return continueTo(gateway, request, reply, session, next);
    },
  );
}

function showLogin(
  gateway: LoginDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  next: string,
  username: string,
  errorKey: keyof Messages | null,
) {
  const csrf = reply.csrfToken();
  const offers = loginOffers(gateway, request, next, csrf);
  return sendPage(request, reply, status, 'login', (t) => t.loginTitle, {
    csrf,
    next,
    username,
    errorKey,
    offers,
  });
}

/**
 * Beside the password form, each ID-less method ("sign in with a passkey") that can take the user
 * where they are going: one the rule for `next` starts with, or any when no rule asks (`/_sekisho/me`).
 */
function loginOffers(gateway: LoginDeps, request: FastifyRequest, next: string, csrf: string) {
  const firstSteps = missingMethods(gateway, request, null, next);
  const client = clientOf(request);
  const { locale } = client;
  return [...gateway.methods]
    .filter(([name, { plugin, method }]) => {
      const fits = firstSteps === null || firstSteps.includes(name);
      return plugin.passwordless && method.discovery !== undefined && fits;
    })
    .map(([name, { plugin, method }]) => {
      const view = method.discovery?.offer({ client, target: next });
      return {
        template: `/${view?.template}`,
        data: view?.data,
        pt: plugin.messages[locale],
        action: methodPath(name),
        csrf,
        next,
      };
    });
}

/** After a proven step: straight on when the rule is satisfied, otherwise to what is missing. */
export function continueTo(
  gateway: LoginDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  session: ActiveSession,
  next: string,
) {
  const missing = missingMethods(gateway, request, session, next);
  if (missing !== null && !missing.includes('password')) {
    return reply.code(303).header('location', mfaUrl(next)).send();
  }
  return reply.code(303).header('location', next).header('cache-control', 'no-store').send();
}
