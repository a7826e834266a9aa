import { normaliseLoginId } from '../../domain/login-id.ts';
import { loginUrl, methodPath, recoveryUrl } from '../../web/paths.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LoginFlows } from '../../core/login-flows.ts';
import type { LoadedMethod } from '../../core/plugin-host.ts';
import type { StartResult } from '../../plugin-api.ts';
import { chooserRoutes, wayForms } from './chooser-routes.ts';
import type { LoginDeps } from './deps.ts';
import { messagesFor, pickLocale } from '../../web/i18n.ts';
import { allowReproof, isBarred, resolveStep, type Step, type StepOutcome } from './mfa-step.ts';
import { methodUrl, problemPage, renderView } from './step-pages.ts';
import { methodLabel, remainingWays } from './ways.ts';
import { safeReturnPath, sendMessage, sendPage } from '../../web/pages.ts';
import {
  clearFlowCookie,
  clientOf,
  setFlowCookie,
  setSessionCookie,
  cookieNames,
} from '../../web/session-cookie.ts';
import { continueTo } from './login-routes.ts';
import { pollRoute } from './mfa-poll.ts';

type Body = Record<string, unknown>;

/** How long a typed ID waits for its push and the final POST. */
const FLOW_TTL_MS = 10 * 60_000;

/**
 * The steps besides the password: the chooser (chooser-routes.ts), one plugin's challenge page and
 * its answer, and for passwordless methods the ID-only page that starts a flow without a session.
 */
export async function mfaRoutes(app: FastifyInstance, gateway: LoginDeps) {
  await chooserRoutes(app, gateway);
  const flows = new LoginFlows(gateway.store, FLOW_TTL_MS);
  const names = cookieNames(gateway.config);
  const limit = { rateLimit: { max: gateway.config.password.ipMaxAttempts, timeWindow: 60_000 } };
  const nextOf = (request: FastifyRequest) =>
    safeReturnPath((request.query as Body).next ?? (request.body as Body | undefined)?.next);

  app.get<{ Params: { method: string } }>('/_sekisho/mfa/:method', async (request, reply) => {
    const next = nextOf(request);
    if ((request.query as Body).restart === '1') await endFlow(request, reply);
    if ((request.query as Body).reprove === '1') await markReproof(request, request.params.method);
    const outcome = await resolveStep(gateway, flows, request, request.params.method, next);
    if (outcome.kind !== 'step') return answerOutcome(request, reply, outcome, next, null);
    const result = await outcome.step.loaded.method.start({ ...outcome.step.challenge, resend: false });
    return showStart(gateway, request, reply, outcome.step, result);
  });

  app.post<{ Params: { method: string }; Body: Body }>(
    '/_sekisho/mfa/:method',
    { preHandler: app.csrfProtection, config: limit },
    async (request, reply) => {
      const next = nextOf(request);
      const body = request.body ?? {};
      if (body.identify === '1') return identify(request, reply, next, body.username);
      if (body.discover === '1') return discover(request, reply, next, body);
      const outcome = await resolveStep(gateway, flows, request, request.params.method, next);
      if (outcome.kind !== 'step') return answerOutcome(request, reply, outcome, next, null);
      const { step } = outcome;
      if (body.resend === '1') {
        const result = await step.loaded.method.start({ ...step.challenge, resend: true });
        return showStart(gateway, request, reply, step, result);
      }
      return verify(request, reply, step, body);
    },
  );

  app.get<{ Params: { method: string } }>(
    '/_sekisho/mfa/:method/status',
    pollRoute(gateway, flows, (request, next) => {
      const t = messagesFor(pickLocale(request));
      return { href: methodUrl(request.params.method, next, true), label: t.startOver };
    }),
  );

  /** The ID-only form of a passwordless method: begins a flow bound to this browser. */
  async function identify(request: FastifyRequest, reply: FastifyReply, next: string, typed: unknown) {
    const { method } = request.params as { method: string };
    const name = gateway.catalogue.canonical(method);
    const loaded = name ? gateway.methods.get(name) : undefined;
    if (!name || !loaded?.plugin.passwordless)
      return answerOutcome(request, reply, { kind: 'unknown-method' }, next, null);
    const username = typeof typed === 'string' ? normaliseLoginId(typed).slice(0, 128) : '';
    if (username === '')
      return answerOutcome(request, reply, { kind: 'identify', name, loaded }, next, 'identifyMissing');
    await endFlow(request, reply);
    // The login page's letter-case rule: `Demo` / `ｄｅｍｏ` reach demo's phone; an unknown ID goes
    // on as typed (the next page looks the same either way, so it tells nobody who exists).
    const account = await gateway.users.findForLogin(username);
    const flow = await flows.begin(account?.id ?? username);
    setFlowCookie(reply, gateway.config, flow.token, FLOW_TTL_MS / 1000);
    request.log.info({ user: username.slice(0, 64), method: name }, 'passwordless login started');
    return reply.redirect(methodUrl(name, next), 303);
  }

  /** An ID-less login (a passkey): the method names the user; the core checks them and the rule. */
  async function discover(request: FastifyRequest, reply: FastifyReply, next: string, body: Body) {
    const { method } = request.params as { method: string };
    const name = gateway.catalogue.canonical(method);
    const loaded = name ? gateway.methods.get(name) : undefined;
    const discovery = loaded?.plugin.passwordless ? loaded.method.discovery : undefined;
    if (!name || !loaded || !discovery)
      return answerOutcome(request, reply, { kind: 'unknown-method' }, next, null);
    const client = clientOf(request);
    const result = await discovery.finish({
      client,
      target: next,
      answer: stringFields(body),
    });
    const account = result.kind === 'ok' ? await gateway.users.find(result.userId) : null;
    const barred = !account || isBarred(account, gateway.clock.now());
    gateway.metrics.logins.inc({ method: name, outcome: barred ? 'failure' : 'success' });
    if (result.kind !== 'ok' || !account || barred) {
      if (result.kind === 'ok')
        request.log.info({ user: result.userId, method: name }, 'login refused: account barred');
      const messageKey = result.kind === 'ok' ? 'failed' : result.messageKey;
      return discoveryPage(request, reply, name, loaded, next, messageKey, 401);
    }
    const previous = await gateway.sessions.read(request.cookies[names.session]);
    const session = await gateway.sessions.prove(previous, account, name, client, result.amr);
    setSessionCookie(reply, gateway.config, session.token);
    await endFlow(request, reply);
    await gateway.audit.record({
      event: 'login.step',
      outcome: 'success',
      userId: account.id,
      actor: account.id,
      ip: client.ip,
      userAgent: client.userAgent,
      detail: { method: name, discoverable: true },
    });
    return continueTo(gateway, request, reply, session, next);
  }

  /** The ID-less page of a method that finds the user itself (a passkey button, no ID field). */
  function discoveryPage(
    request: FastifyRequest,
    reply: FastifyReply,
    name: string,
    loaded: LoadedMethod,
    next: string,
    messageKey: string | null,
    status: number,
  ) {
    const discovery = loaded.method.discovery;
    if (!discovery) return sendMessage(request, reply, { status: 404, message: (t) => t.notFound });
    const client = clientOf(request);
    const { locale } = client;
    const pt = loaded.plugin.messages[locale];
    const view = discovery.page({ client, target: next });
    const t = messagesFor(locale);
    const alternatives = (remainingWays(gateway, request, null, next) ?? []).filter((way) => way[0] !== name);
    return sendPage(request, reply, status, view.template, () => pt.title ?? t.mfaTitle, {
      data: view.data,
      pt,
      messageKey,
      csrf: reply.csrfToken(),
      next,
      action: methodPath(name),
      recoveryUrl: recoveryUrl(next),
      alternatives: alternatives.map((way) => ({
        href: methodUrl(way[0] ?? name, next),
        label: way.map((method) => methodLabel(gateway, method, request)).join(t.steps.plus),
      })),
    });
  }

  /**
   * A signed-in user asked to prove a method again (before changing their authenticators). The
   * permission is kept per method and written once, so a repeated or cross-site GET changes
   * nothing: it never replaces another method's pending proof.
   */
  async function markReproof(request: FastifyRequest, method: string) {
    const name = gateway.catalogue.canonical(method);
    const session = await gateway.sessions.read(request.cookies[names.session]);
    if (name && session && gateway.methods.has(name)) await allowReproof(gateway, session, name);
  }

  async function endFlow(request: FastifyRequest, reply: FastifyReply) {
    const flow = await flows.read(request.cookies[names.flow]);
    if (flow) await flows.end(flow);
    clearFlowCookie(reply, gateway.config);
  }

  async function verify(request: FastifyRequest, reply: FastifyReply, step: Step, body: Body) {
    const answer = stringFields(body);
    // The passwordless page posts the ID with its answer; it must be the ID this flow is for.
    const sameId = answer.username === undefined || answer.username === step.challenge.user.id;
    const verdict = sameId
      ? await step.loaded.method.verify({ ...step.challenge, answer })
      : ({ kind: 'dead', messageKey: '' } as const);
    const proven = verdict.kind === 'ok' && step.account !== null && !step.challenge.decoy;
    gateway.metrics.logins.inc({ method: step.name, outcome: proven ? 'success' : 'failure' });
    if (proven && step.account) {
      const client = clientOf(request);
      const amr = verdict.kind === 'ok' ? verdict.amr : undefined;
      const session = await gateway.sessions.prove(step.session, step.account, step.name, client, amr);
      setSessionCookie(reply, gateway.config, session.token);
      if (step.flow) await endFlow(request, reply);
      await gateway.audit.record({
        event: 'login.step',
        outcome: 'success',
        userId: step.account.id,
        actor: step.account.id,
        ip: client.ip,
        userAgent: client.userAgent,
        detail: { method: step.name },
      });
      return continueTo(gateway, request, reply, session, step.next);
    }
    if (verdict.kind === 'ok' || verdict.kind === 'dead') {
      const messageKey = verdict.kind === 'dead' ? verdict.messageKey : '';
      if (!step.flow) return problemPage(gateway, request, reply, step, { messageKey, retry: true });
      // A passwordless attempt that is over starts again from the ID.
      await endFlow(request, reply);
      return problemPage(gateway, request, reply, step, { messageKey, retry: false });
    }
    return renderView(request, reply, step, verdict.view, verdict.messageKey, 401);
  }

  async function answerOutcome(
    request: FastifyRequest,
    reply: FastifyReply,
    outcome: Exclude<StepOutcome, { kind: 'step' }>,
    next: string,
    errorKey: 'identifyMissing' | null,
  ) {
    switch (outcome.kind) {
      case 'unknown-method':
        return sendMessage(request, reply, { status: 404, message: (t) => t.notFound });
      case 'redirect':
        return reply.redirect(outcome.location, 303);
      case 'session-gone':
        return sendMessage(request, reply, {
          status: 401,
          message: (t) => t.sessionNeeded,
          link: { href: loginUrl(next), label: (t) => t.loginAgain },
        });
      case 'identify': {
        if (outcome.loaded.method.discovery)
          return discoveryPage(request, reply, outcome.name, outcome.loaded, next, null, 200);
        const pt = outcome.loaded.plugin.messages[pickLocale(request)];
        const others = (remainingWays(gateway, request, null, next) ?? []).filter(
          (way) => way[0] !== outcome.name,
        );
        const t = messagesFor(pickLocale(request));
        return sendPage(request, reply, errorKey ? 400 : 200, 'identify', () => pt.title ?? t.mfaTitle, {
          ...(await wayForms(gateway, request, reply, null, others, next)),
          action: methodPath(outcome.name),
          methodName: pt.methodName ?? outcome.name,
          lead: pt.identifyLead ?? t.identifyLead,
          errorKey,
          recoveryUrl: recoveryUrl(next),
          loginUrl: loginUrl(next),
        });
      }
    }
  }
}

function showStart(
  gateway: LoginDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  step: Step,
  result: StartResult,
) {
  if (result.kind === 'started') return renderView(request, reply, step, result.view, null, 200);
  return problemPage(gateway, request, reply, step, result);
}

/** The form's string fields: what a plugin's answer is made of. */
function stringFields(body: Body): Record<string, string> {
  return Object.fromEntries(
    Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}
