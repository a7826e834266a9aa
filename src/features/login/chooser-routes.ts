/**
 * `/_sekisho/mfa`, the dispatcher: straight to the one method missing, or one chooser of the ways
 * the rule leaves open. A way is picked once: when it has more than one step (password, then the
 * SMS code), the rest is remembered in a short cookie so that after the password the user goes
 * straight on instead of meeting a second chooser.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PASSWORD } from '../../domain/rules/decide.ts';
import type { PluginUser } from '../../plugin-api.ts';
import type { LoginDeps } from './deps.ts';
import { safeReturnPath, sendPage } from '../../web/pages.ts';
import { loginUrl, methodPath, mfaPath, recoveryUrl } from '../../web/paths.ts';
import { cookieNames } from '../../web/session-cookie.ts';
import { describeWays, remainingWays, type WayChoice } from './ways.ts';

type Body = Record<string, unknown>;

/** How long a picked way waits for its first step (the password) to be done. */
const WAY_TTL_SECONDS = 10 * 60;

export async function chooserRoutes(app: FastifyInstance, gateway: LoginDeps) {
  const names = cookieNames(gateway.config);
  const wayCookie = names.way;
  // Only the gateway's own pages need it: the browser never sends it to an application.
  const wayCookieOptions = {
    path: '/_sekisho/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: gateway.config.session.secureCookie,
  };

  app.get(mfaPath, async (request, reply) => {
    const next = safeReturnPath((request.query as Body).next);
    const session = await gateway.sessions.read(request.cookies[names.session]);
    const ways = remainingWays(gateway, request, session, next);
    if (ways === null) return reply.code(303).header('location', next).send();
    const firsts = ways.map((way) => way[0] ?? PASSWORD);
    const picked = request.cookies[wayCookie];
    const only = firsts.length === 1 ? firsts[0] : firsts.find((first) => first === picked);
    if (only !== undefined) {
      if (picked !== undefined) reply.clearCookie(wayCookie, wayCookieOptions);
      return reply.redirect(firstStepUrl(only, next), 303);
    }
    const user = session ? await gateway.users.find(session.data.userId) : null;
    return sendPage(request, reply, 200, 'choose', (t) => t.chooseTitle, {
      ...(await wayForms(gateway, request, reply, user, ways, next)),
      recoveryUrl: recoveryUrl(next),
    });
  });

  app.post<{ Body: Body }>(mfaPath, { preHandler: app.csrfProtection }, async (request, reply) => {
    const body = request.body ?? {};
    const next = safeReturnPath(body.next);
    const session = await gateway.sessions.read(request.cookies[names.session]);
    const ways = remainingWays(gateway, request, session, next);
    if (ways === null) return reply.code(303).header('location', next).send();
    const way = ways.find((methods) => methods.join(',') === body.way);
    // A way the rule no longer offers (changed meanwhile, or made up): the chooser as it now stands.
    if (!way?.[0]) return reply.redirect(`${mfaPath}?next=${encodeURIComponent(next)}`, 303);
    const then = way[1];
    if (then === undefined) reply.clearCookie(wayCookie, wayCookieOptions);
    else reply.setCookie(wayCookie, then, { ...wayCookieOptions, maxAge: WAY_TTL_SECONDS });
    return reply.redirect(firstStepUrl(way[0], next), 303);
  });
}

/** The page of a way's first step: the login form for the password, else the method's page. */
export function firstStepUrl(method: string, next: string): string {
  return method === PASSWORD ? loginUrl(next) : `${methodPath(method)}?next=${encodeURIComponent(next)}`;
}

/**
 * What a page that offers ways needs: each way (a small form posting `way`), the CSRF token and
 * `next`. `user` is the session's user (the caller has read it), or null before any proof: a typed
 * ID proves nothing, and nothing about its user is shown.
 */
export async function wayForms(
  gateway: LoginDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  user: PluginUser | null,
  ways: readonly (readonly string[])[],
  next: string,
): Promise<{ ways: WayChoice[]; wayAction: string; csrf: string; next: string; identified: boolean }> {
  return {
    ways: await describeWays(gateway, request, ways, user),
    wayAction: mfaPath,
    csrf: reply.csrfToken(),
    next,
    identified: user !== null,
  };
}
