import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FactorActivations } from '../../core/factor-activation.ts';
import { RecoveryCodes } from '../../core/recovery-codes.ts';
import type { ActiveSession } from '../../core/session-service.ts';
import type { PluginClient, PluginView } from '../../plugin-api.ts';
import type { UserRecord } from '../../ports/users.ts';
import type { MeDeps } from './deps.ts';
import { changeRight, hasAnyFactor, methodSections } from './authenticators.ts';
import { pickLocale } from '../../web/i18n.ts';
import { sendMessage, sendPage } from '../../web/pages.ts';
import { clientOf } from '../../web/session-cookie.ts';
import { sendStepUp } from './step-up.ts';

const ME_PATH = '/_sekisho/me';
type Body = Record<string, unknown>;

/** Who is on the page (me-routes.ts identifies them). */
export interface Me {
  readonly session: ActiveSession;
  readonly account: UserRecord;
}

/** What the account pages lend these routes. */
export interface MeHelpers {
  identify(request: FastifyRequest, reply: FastifyReply): Promise<Me | null>;
  back(
    reply: FastifyReply,
    notice: 'credential-enrolled' | 'credential-removed' | 'credential-renamed' | 'no-such-credential',
  ): FastifyReply;
}

/**
 * Adding and removing one's own authenticators, and new recovery codes. Every change passes
 * {@link changeRight} (or, for enrolment, a live activation link for this user; see `mayChange`) and is audited.
 */
export async function authenticatorRoutes(app: FastifyInstance, gateway: MeDeps, me: MeHelpers) {
  const codes = new RecoveryCodes({
    repository: gateway.recoveryCodes,
    audit: gateway.audit,
    clock: gateway.clock,
    secret: gateway.secret,
  });
  const activations = new FactorActivations({
    repository: gateway.factorActivations,
    audit: gateway.audit,
    clock: gateway.clock,
    secret: gateway.secret,
    publicUrl: gateway.config.publicUrl,
  });
  const forms = { preHandler: app.csrfProtection, config: { rateLimit: { max: 30, timeWindow: 60_000 } } };

  /**
   * Whether the change may go ahead (the activation link, when one is given, is this user's and
   * live). When not, the step-up page or the refusal has been sent and the handler must stop.
   * A boolean, not the reply: a Fastify reply is a thenable, so an async function returning it
   * resolves to undefined, and a caller testing that would carry on with the change.
   */
  async function mayChange(request: FastifyRequest, reply: FastifyReply, who: Me, activation: string) {
    if (activation !== '') {
      if ((await activations.peek(activation)) === who.account.id) return true;
      sendMessage(request, reply, { status: 403, message: (t) => t.authn.activationInvalid });
      return false;
    }
    const right = changeRight(
      who.session,
      await hasAnyFactor(gateway.methods, who.account),
      gateway.clock.now(),
    );
    if (right.kind === 'allowed') return true;
    if (right.kind === 'needs-activation')
      sendMessage(request, reply, {
        status: 403,
        message: (t) => t.authn.needsActivation,
        link: { href: ME_PATH, label: (t) => t.me.backToMe },
      });
    else await sendStepUp(gateway.methods, request, reply, who.account, ME_PATH);
    return false;
  }

  app.post<{ Body: Body }>(`${ME_PATH}/authenticators/remove`, forms, async (request, reply) => {
    const who = await me.identify(request, reply);
    if (!who) return reply;
    const body = request.body ?? {};
    const name = typeof body.method === 'string' ? body.method : '';
    const id = typeof body.id === 'string' ? body.id.slice(0, 128) : '';
    const credentials = gateway.methods.get(name)?.method.credentials;
    if (!credentials) return me.back(reply, 'no-such-credential');
    if (!(await mayChange(request, reply, who, ''))) return reply;
    const client = clientOf(request);
    const removed = await credentials.remove(who.account, id, { actor: who.account.id, client });
    if (removed)
      await audit('credential.removed', who.account.id, who.account.id, client, { method: name, id });
    return me.back(reply, removed ? 'credential-removed' : 'no-such-credential');
  });

  // A name is no factor: renaming needs no fresh proof, only the session; it is audited all the same.
  app.post<{ Body: Body }>(`${ME_PATH}/authenticators/rename`, forms, async (request, reply) => {
    const who = await me.identify(request, reply);
    if (!who) return reply;
    const body = request.body ?? {};
    const name = typeof body.method === 'string' ? body.method : '';
    const id = typeof body.id === 'string' ? body.id.slice(0, 128) : '';
    const newName = typeof body.name === 'string' ? body.name.slice(0, 256) : '';
    const credentials = gateway.methods.get(name)?.method.credentials;
    const renamed = (await credentials?.rename?.(who.account, id, newName)) ?? false;
    if (!renamed) return me.back(reply, 'no-such-credential');
    const client = clientOf(request);
    await audit('credential.renamed', who.account.id, who.account.id, client, { method: name, id });
    return me.back(reply, 'credential-renamed');
  });

  app.get<{ Params: { method: string } }>(
    `${ME_PATH}/authenticators/:method/enrol`,
    async (request, reply) => {
      const who = await me.identify(request, reply);
      if (!who) return reply;
      const activation = activationOf(request.query as Body);
      const credentials = gateway.methods.get(request.params.method)?.method.credentials;
      if (!credentials?.beginEnrolment)
        return sendMessage(request, reply, { status: 404, message: (t) => t.notFound });
      if (!(await mayChange(request, reply, who, activation))) return reply;
      const view = await credentials.beginEnrolment(who.account, clientOf(request));
      return enrolPage(request, reply, request.params.method, view, null, activation, 200);
    },
  );

  app.post<{ Params: { method: string }; Body: Body }>(
    `${ME_PATH}/authenticators/:method/enrol`,
    forms,
    async (request, reply) => {
      const who = await me.identify(request, reply);
      if (!who) return reply;
      const body = request.body ?? {};
      const activation = activationOf(body);
      const name = request.params.method;
      const credentials = gateway.methods.get(name)?.method.credentials;
      if (!credentials?.finishEnrolment)
        return sendMessage(request, reply, { status: 404, message: (t) => t.notFound });
      if (!(await mayChange(request, reply, who, activation))) return reply;
      const answer = Object.fromEntries(
        Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
      const client = clientOf(request);
      const result = await credentials.finishEnrolment({ user: who.account, client, answer });
      if (result.kind === 'wrong')
        return enrolPage(request, reply, name, result.view, result.messageKey, activation, 401);
      if (result.kind === 'dead') {
        const pt = gateway.methods.get(name)?.plugin.messages[pickLocale(request)] ?? {};
        return sendMessage(request, reply, {
          status: 409,
          message: (t) => pt[result.messageKey] ?? t.stepFailed,
          link: { href: ME_PATH, label: (t) => t.me.backToMe },
        });
      }
      // The link is spent only by a confirmed enrolment; a link raced by another tab undoes this one.
      if (activation !== '' && (await activations.use(activation)) !== who.account.id) {
        await credentials.remove(who.account, result.credential.id, { actor: who.account.id, client });
        return sendMessage(request, reply, { status: 403, message: (t) => t.authn.activationInvalid });
      }
      const detail = {
        method: name,
        id: result.credential.id,
        ...(activation !== '' ? { activation: true } : {}),
      };
      await audit('credential.enrolled', who.account.id, who.account.id, client, detail);
      return me.back(reply, 'credential-enrolled');
    },
  );

  app.get(`${ME_PATH}/activate`, async (request, reply) => {
    const who = await me.identify(request, reply);
    if (!who) return reply;
    const code = activationOf(request.query as Body);
    if ((await activations.peek(code)) !== who.account.id)
      return sendMessage(request, reply, { status: 403, message: (t) => t.authn.activationInvalid });
    const sections = await methodSections(gateway.methods, who.account, pickLocale(request));
    const choices = sections
      .filter((s) => s.canEnrol)
      .map((s) => ({
        href: `${enrolPath(s.method)}?activation=${encodeURIComponent(code)}`,
        label: s.label,
      }));
    return sendPage(request, reply, 200, 'me-activate', (t) => t.authn.activationTitle, { choices });
  });

  app.post(`${ME_PATH}/recovery/generate`, forms, async (request, reply) => {
    const who = await me.identify(request, reply);
    if (!who) return reply;
    if (!(await mayChange(request, reply, who, ''))) return reply;
    const client = clientOf(request);
    const fresh = await codes.generate(who.account.id, { actor: who.account.id, ...client });
    return sendPage(request, reply, 200, 'me-recovery-codes', (t) => t.authn.codesTitle, { codes: fresh });
  });

  function enrolPage(
    request: FastifyRequest,
    reply: FastifyReply,
    name: string,
    view: PluginView,
    messageKey: string | null,
    activation: string,
    status: number,
  ) {
    const pt = gateway.methods.get(name)?.plugin.messages[pickLocale(request)] ?? {};
    return sendPage(request, reply, status, view.template, (t) => pt.enrolTitle ?? t.authn.heading, {
      data: view.data,
      pt,
      messageKey,
      csrf: reply.csrfToken(),
      action: enrolPath(name),
      activation: activation === '' ? null : activation,
    });
  }

  async function audit(event: string, userId: string, actor: string, client: PluginClient, detail: Body) {
    await gateway.audit.record({
      event,
      outcome: 'success',
      userId,
      actor,
      ip: client.ip,
      userAgent: client.userAgent,
      detail,
    });
  }

  return {
    /** Unused recovery codes, for the overview. */
    remaining: (userId: string) => codes.remaining(userId),
    /** The change guard, for the other factor changes of /me (no activation link there). */
    mayChange: (request: FastifyRequest, reply: FastifyReply, who: Me) => mayChange(request, reply, who, ''),
  };
}

function enrolPath(method: string): string {
  return `${ME_PATH}/authenticators/${encodeURIComponent(method)}/enrol`;
}

function activationOf(source: Body): string {
  const value = source.activation ?? source.code;
  return typeof value === 'string' ? value.slice(0, 64) : '';
}
