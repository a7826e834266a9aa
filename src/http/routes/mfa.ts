import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decideAccess } from '../../domain/rules/decide.ts';
import type { ActiveSession } from '../../core/session-service.ts';
import type { LoadedMethod } from '../../core/plugin-host.ts';
import type { ChallengeRequest, PluginView, StartResult } from '../../plugin-api.ts';
import type { UserRecord } from '../../ports/users.ts';
import { cookieNames, type Gateway } from '../gateway.ts';
import { messagesFor, pickLocale } from '../i18n.ts';
import { safeReturnPath, sendMessage, sendPage } from '../pages.ts';
import { clientOf, setSessionCookie } from '../session-cookie.ts';
import { continueTo } from './login.ts';

type Body = Record<string, unknown>;

/** A step after the password: the chooser, then one plugin's challenge page and its answer. */
export async function mfaRoutes(app: FastifyInstance, gateway: Gateway) {
  const sessionCookie = cookieNames(gateway.config).session;
  const readSession = (request: FastifyRequest) => gateway.sessions.read(request.cookies[sessionCookie]);
  const limit = { rateLimit: { max: gateway.config.password.ipMaxAttempts, timeWindow: 60_000 } };

  app.get('/_sekisho/mfa', async (request, reply) => {
    const next = safeReturnPath((request.query as { next?: unknown }).next);
    const session = await readSession(request);
    const missing = missingMethods(gateway, request, session, next);
    if (missing === null) return reply.code(303).header('location', next).send();
    if (missing.length === 1 && missing[0] !== 'password')
      return reply.redirect(methodUrl(missing[0] ?? '', next), 303);
    if (missing.length === 1 || !session)
      return reply.redirect(`/_sekisho/login?next=${encodeURIComponent(next)}`, 303);
    const t = messagesFor(pickLocale(request));
    const choices = missing.map((name) => ({
      href: name === 'password' ? `/_sekisho/login?next=${encodeURIComponent(next)}` : methodUrl(name, next),
      label: name === 'password' ? t.passwordMethod : methodLabel(gateway, name, request),
    }));
    return sendPage(request, reply, 200, 'choose', (m) => m.chooseTitle, { choices });
  });

  app.get<{ Params: { method: string } }>('/_sekisho/mfa/:method', async (request, reply) => {
    const step = await prepare(gateway, request, reply, await readSession(request));
    if (!step) return reply;
    const result = await step.loaded.method.start({ ...step.challenge, resend: false });
    return showStart(gateway, request, reply, step, result);
  });

  app.post<{ Params: { method: string }; Body: Body }>(
    '/_sekisho/mfa/:method',
    { preHandler: app.csrfProtection, config: limit },
    async (request, reply) => {
      const step = await prepare(gateway, request, reply, await readSession(request));
      if (!step) return reply;
      const body = request.body ?? {};
      if (body.resend === '1') {
        const result = await step.loaded.method.start({ ...step.challenge, resend: true });
        return showStart(gateway, request, reply, step, result);
      }
      const answer = Object.fromEntries(
        Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
      const verdict = await step.loaded.method.verify({ ...step.challenge, answer });
      gateway.metrics.logins.inc({
        method: step.name,
        outcome: verdict.kind === 'ok' ? 'success' : 'failure',
      });
      if (verdict.kind === 'ok') {
        const session = await gateway.sessions.prove(step.session, step.user, step.name, clientOf(request));
        setSessionCookie(reply, gateway.config, session.token);
        const client = clientOf(request);
        await gateway.audit.record({
          event: 'login.step',
          outcome: 'success',
          userId: step.user.id,
          actor: step.user.id,
          ip: client.ip,
          userAgent: client.userAgent,
          detail: { method: step.name },
        });
        return continueTo(gateway, request, reply, session, step.next);
      }
      if (verdict.kind === 'dead')
        return problemPage(gateway, request, reply, step, verdict.messageKey, true);
      return renderView(gateway, request, reply, step, verdict.view, verdict.messageKey, 401);
    },
  );
}

interface Step {
  readonly name: string;
  readonly loaded: LoadedMethod;
  readonly session: ActiveSession;
  readonly user: UserRecord;
  readonly next: string;
  readonly challenge: ChallengeRequest;
}

/** The methods still missing for `next`, or null when the session may go there now. */
function missingMethods(
  gateway: Gateway,
  request: FastifyRequest,
  session: ActiveSession | null,
  next: string,
) {
  const target = { host: request.headers.host ?? null, rawPath: next.split('?')[0] ?? '/' };
  const decision = decideAccess(gateway.rules.current, target, session?.data ?? null, gateway.catalogue);
  return decision.kind === 'authenticate' ? [...decision.next] : null;
}

/** Checks that this method is what the session needs next for `next`; answers the request otherwise. */
async function prepare(
  gateway: Gateway,
  request: FastifyRequest<{ Params: { method: string } }>,
  reply: FastifyReply,
  session: ActiveSession | null,
): Promise<Step | null> {
  const next = safeReturnPath(
    (request.query as { next?: unknown }).next ?? (request.body as Body | undefined)?.next,
  );
  const name = gateway.catalogue.canonical(request.params.method);
  const loaded = name ? gateway.methods.get(name) : undefined;
  if (!name || !loaded) {
    await sendMessage(request, reply, { status: 404, message: (t) => t.notFound });
    return null;
  }
  if (!session) {
    await reply.redirect(`/_sekisho/login?next=${encodeURIComponent(next)}`, 303);
    return null;
  }
  const missing = missingMethods(gateway, request, session, next);
  if (missing === null || !missing.includes(name)) {
    await reply.redirect(`/_sekisho/mfa?next=${encodeURIComponent(next)}`, 303);
    return null;
  }
  const user = await gateway.users.find(session.data.userId);
  if (!user || user.locked) {
    await gateway.sessions.end(session);
    await sendMessage(request, reply, {
      status: 401,
      message: (t) => t.sessionNeeded,
      link: loginLink(next),
    });
    return null;
  }
  const client = { ...clientOf(request), locale: pickLocale(request) };
  return { name, loaded, session, user, next, challenge: { user, flowId: session.hash, client } };
}

function showStart(
  gateway: Gateway,
  request: FastifyRequest,
  reply: FastifyReply,
  step: Step,
  result: StartResult,
) {
  if (result.kind === 'started') return renderView(gateway, request, reply, step, result.view, null, 200);
  return problemPage(gateway, request, reply, step, result.messageKey, result.retry);
}

function renderView(
  gateway: Gateway,
  request: FastifyRequest,
  reply: FastifyReply,
  step: Step,
  view: PluginView,
  messageKey: string | null,
  status: number,
) {
  const pt = step.loaded.plugin.messages[pickLocale(request)];
  return sendPage(request, reply, status, view.template, (t) => pt.title ?? t.mfaTitle, {
    data: view.data,
    pt,
    messageKey,
    csrf: reply.generateCsrf(),
    next: step.next,
    action: `/_sekisho/mfa/${encodeURIComponent(step.name)}`,
  });
}

/** A calm page: what went wrong in the plugin's words, and the way on (retry, or start over). */
function problemPage(
  _gateway: Gateway,
  request: FastifyRequest,
  reply: FastifyReply,
  step: Step,
  messageKey: string,
  retry: boolean,
) {
  const pt = step.loaded.plugin.messages[pickLocale(request)];
  const href = retry
    ? methodUrl(step.name, step.next)
    : `/_sekisho/login?next=${encodeURIComponent(step.next)}`;
  return sendMessage(request, reply, {
    status: retry ? 503 : 403,
    message: () => pt[messageKey] ?? messageKey,
    link: { href, label: (t) => (retry ? t.retry : t.startOver) },
  });
}

function methodUrl(name: string, next: string): string {
  return `/_sekisho/mfa/${encodeURIComponent(name)}?next=${encodeURIComponent(next)}`;
}

function methodLabel(gateway: Gateway, name: string, request: FastifyRequest): string {
  const loaded = gateway.methods.get(name);
  return loaded?.plugin.messages[pickLocale(request)].methodName ?? name;
}

function loginLink(next: string) {
  return {
    href: `/_sekisho/login?next=${encodeURIComponent(next)}`,
    label: (t: { loginAgain: string }) => t.loginAgain,
  };
}
