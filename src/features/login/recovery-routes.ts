import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FEW_RECOVERY_CODES, RecoveryCodes } from '../../core/recovery-codes.ts';
import { RECOVERY } from '../../domain/rules/decide.ts';
import type { LoginDeps } from './deps.ts';
import { safeReturnPath, sendPage } from '../../web/pages.ts';
import { recoveryPath } from '../../web/paths.ts';
import { clientOf, cookieNames, setSessionCookie } from '../../web/session-cookie.ts';

type Body = Record<string, unknown>;

/**
 * The recovery-code login: a right password with an unused recovery code stands in once for the
 * rule's methods (the session proves `password,RECOVERY`). The code is checked inside the password
 * check's reservation, so a wrong code is a failed login that counts towards the lockout.
 */
export async function recoveryRoutes(app: FastifyInstance, gateway: LoginDeps) {
  const { password } = gateway.config;
  const sessionCookie = cookieNames(gateway.config).session;
  const codes = new RecoveryCodes({
    repository: gateway.recoveryCodes,
    audit: gateway.audit,
    clock: gateway.clock,
    secret: gateway.secret,
  });
  const limit = { rateLimit: { max: password.ipMaxAttempts, timeWindow: password.ipWindowSeconds * 1000 } };

  app.get(recoveryPath, async (request, reply) => {
    const next = safeReturnPath((request.query as Body).next);
    const session = await gateway.sessions.read(request.cookies[sessionCookie]);
    return showForm(request, reply, 200, next, session?.data.userId ?? null, '', false);
  });

  app.post<{ Body: Body }>(
    recoveryPath,
    { preHandler: app.csrfProtection, config: limit },
    async (request, reply) => {
      const body = request.body ?? {};
      const next = safeReturnPath(body.next);
      const previous = await gateway.sessions.read(request.cookies[sessionCookie]);
      // With a session the ID is the session's: a recovery code never switches users.
      const typedId = typeof body.username === 'string' ? body.username.trim().slice(0, 128) : '';
      const username = previous?.data.userId ?? typedId;
      const secret = typeof body.password === 'string' ? body.password.slice(0, 1024) : '';
      const code = typeof body.recovery_code === 'string' ? body.recovery_code.slice(0, 64) : '';
      const client = clientOf(request);
      const result = await gateway.passwordLogin.attempt(username, secret, client, (user) =>
        codes.redeem(user.id, code),
      );
      gateway.metrics.logins.inc({ method: RECOVERY, outcome: result.ok ? 'success' : 'failure' });
      if (!result.ok) {
        request.log.info({ user: username.slice(0, 64), reason: result.reason }, 'recovery login rejected');
        return showForm(request, reply, 401, next, previous?.data.userId ?? null, typedId, true);
      }
      const withPassword = await gateway.sessions.prove(previous, result.user, 'password', client);
      const session = await gateway.sessions.prove(withPassword, result.user, RECOVERY, client);
      setSessionCookie(reply, gateway.config, session.token);
      const remaining = await codes.remaining(result.user.id);
      await gateway.audit.record({
        event: 'recovery.used',
        outcome: 'success',
        userId: result.user.id,
        actor: result.user.id,
        ip: client.ip,
        userAgent: client.userAgent,
        detail: { remaining },
      });
      return sendPage(request, reply, 200, 'recovery-used', (t) => t.recovery.usedTitle, {
        next,
        remaining,
        few: remaining <= FEW_RECOVERY_CODES,
      });
    },
  );
}

function showForm(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  next: string,
  knownId: string | null,
  username: string,
  failed: boolean,
) {
  return sendPage(request, reply, status, 'recovery', (t) => t.recovery.title, {
    csrf: reply.csrfToken(),
    next,
    askId: knownId === null,
    username,
    failed,
  });
}
