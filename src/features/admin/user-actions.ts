import { qrSvg } from '../../web/qr-code.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { AdminService } from '../../core/admin-service.ts';
import { SekishoError } from '../../domain/errors.ts';
import type { AdminDeps } from './deps.ts';
import { actorOf } from './console-session.ts';
import { list, raw, refusal, text, type Fields } from './form.ts';
import { adminMessages } from './messages.ts';
import { redirectDone, userPath, type DoneKey } from './render.ts';
import type { SessionAdmin } from '../../core/session-admin.ts';
import { FactorActivations } from '../../core/factor-activation.ts';
import { RecoveryCodes } from '../../core/recovery-codes.ts';
import { guardOwnGroups } from './console-guard.ts';
import { loadStoredRules } from './rules-view.ts';

type ShowUser = (
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
  status: number,
  error: string | null,
  issued?: IssuedLinks,
) => Promise<FastifyReply>;

/** Links issued on the user's page, shown once there and kept nowhere else. */
export interface IssuedLinks {
  /** A first-authenticator registration link (`/_sekisho/me/activate?code=…`). */
  readonly activationUrl?: string;
  /** A push device activation: the phone's URL, its QR code as SVG, and when it expires. */
  readonly push?: { readonly url: string; readonly qrSvg: string; readonly expiresAt: number };
}

/** What one action does: the outcome's notice, and where to go after it (the user's page by default). */
type Action = (
  id: string,
  body: Fields,
  request: FastifyRequest,
) => Promise<DoneKey | { done: DoneKey; to: string }>;

/**
 * One form per action on a user, each a POST with its CSRF field, each audited with the
 * admin's ID, IP and user agent (by AdminService, SessionAdmin or the push service).
 */
export function userActionRoutes(
  app: FastifyInstance,
  gateway: AdminDeps,
  services: { admin: AdminService; sessions: SessionAdmin; showUser: ShowUser },
  post: RouteShorthandOptions,
) {
  const { admin, sessions } = services;
  const keyed = { audit: gateway.audit, clock: gateway.clock, secret: gateway.secret };
  const recovery = new RecoveryCodes({ ...keyed, repository: gateway.recoveryCodes });
  const activations = new FactorActivations({
    ...keyed,
    repository: gateway.factorActivations,
    publicUrl: gateway.config.publicUrl,
  });

  const actions: Record<string, Action> = {
    profile: async (id, body, request) => {
      const groups = list(body, 'groups');
      // Your own groups: not so that you lose the console (as locking or deleting yourself).
      if (id === actorOf(request).id)
        guardOwnGroups(request, (await loadStoredRules(gateway)).ruleSet, groups);
      await admin.updateUser(
        id,
        {
          displayName: text(body, 'name', 128),
          email: text(body, 'email', 254) || null,
          phone: text(body, 'phone', 20) || null,
          groups,
        },
        actorOf(request),
      );
      return 'profileSaved';
    },
    lock: async (id, _body, request) => {
      refuseSelf(id, request);
      await admin.updateUser(id, { locked: true }, actorOf(request));
      return 'locked';
    },
    unlock: async (id, _body, request) => {
      await admin.updateUser(id, { locked: false }, actorOf(request));
      return 'unlocked';
    },
    password: async (id, body, request) => {
      await admin.updateUser(id, { password: raw(body, 'password') }, actorOf(request));
      return 'passwordReset';
    },
    'clear-lockout': async (id, _body, request) => {
      await admin.clearLockout(id, actorOf(request));
      return 'lockoutCleared';
    },
    delete: async (id, _body, request) => {
      refuseSelf(id, request);
      await admin.removeUser(id, actorOf(request));
      return { done: 'userDeleted', to: '/_sekisho/admin/users' };
    },
    'revoke-sessions': async (id, _body, request) => {
      await existing(id);
      await sessions.revokeAll(id, actorOf(request));
      return 'sessionsRevoked';
    },
    'revoke-session': async (id, body, request) => {
      await existing(id);
      const outcome = await sessions.revoke(id, text(body, 'session', 64), actorOf(request));
      const done = outcome === 'ended' ? 'sessionRevoked' : 'sessionGone';
      const to =
        text(body, 'back') === 'sessions'
          ? `/_sekisho/admin/sessions?user=${encodeURIComponent(id)}`
          : userPath(id);
      return { done, to };
    },
    'revoke-device': async (id, body, request) => {
      const device = text(body, 'device', 128);
      const devices = gateway.push ? await gateway.push.listDevices(id) : [];
      // Only a live device of this user: the form names the user, so the ID must belong to them.
      if (!gateway.push || !devices.some((d) => d.id === device && d.revokedAt === null))
        throw new SekishoError('SEKISHO_ERR_USER_NOT_FOUND', `no live device ${device} of ${id}`);
      const actor = actorOf(request);
      await gateway.push.revokeDevice(device, { actor: actor.id, ip: actor.ip, userAgent: actor.userAgent });
      return 'deviceRevoked';
    },
    'remove-credential': async (id, body, request) => {
      const user = await gateway.users.find(id);
      const method = text(body, 'method', 32);
      const credentials = gateway.methods.get(method)?.method.credentials;
      const actor = actorOf(request);
      const client = { ip: actor.ip, userAgent: actor.userAgent, locale: 'ja' as const };
      const removed =
        user && credentials
          ? await credentials.remove(user, text(body, 'credential', 128), { actor: actor.id, client })
          : false;
      if (!removed) throw new SekishoError('SEKISHO_ERR_USER_NOT_FOUND', `no such authenticator of ${id}`);
      await gateway.audit.record({
        event: 'credential.removed',
        outcome: 'success',
        userId: id,
        actor: actor.id,
        ip: actor.ip,
        userAgent: actor.userAgent,
        detail: { method, id: text(body, 'credential', 128) },
      });
      return 'credentialRemoved';
    },
    'recovery-clear': async (id, _body, request) => {
      await existing(id);
      const actor = actorOf(request);
      await recovery.clear(id, { actor: actor.id, ip: actor.ip, userAgent: actor.userAgent });
      return 'recoveryCleared';
    },
  };

  // Shown once, on the page itself: the link is not kept anywhere it could be read again.
  app.post<{ Body: Fields }>('/_sekisho/admin/user/issue-activation', post, async (request, reply) => {
    const id = text(request.body, 'user', 128);
    if (!(await gateway.users.find(id))) return services.showUser(request, reply, id, 404, null);
    const actor = actorOf(request);
    const { url } = await activations.issue(id, { actor: actor.id, ip: actor.ip });
    return services.showUser(request, reply, id, 200, null, { activationUrl: url });
  });

  // A push device's registration, as `sekisho push enroll` issues it: a QR code for the user's phone,
  // drawn here (SVG in the page: nothing loaded from elsewhere), shown once and audited by the push service.
  app.post<{ Body: Fields }>('/_sekisho/admin/user/push-enrol', post, async (request, reply) => {
    const id = text(request.body, 'user', 128);
    if (!(await gateway.users.find(id))) return services.showUser(request, reply, id, 404, null);
    if (!gateway.push) return reply.callNotFound();
    const actor = actorOf(request);
    const activation = await gateway.push.createActivation(id, {
      actor: actor.id,
      ip: actor.ip,
      userAgent: actor.userAgent,
    });
    const push = { url: activation.url, qrSvg: await qrSvg(activation.url), expiresAt: activation.expiresAt };
    return services.showUser(request, reply, id, 200, null, { push });
  });

  for (const [name, action] of Object.entries(actions)) {
    app.post<{ Body: Fields }>(`/_sekisho/admin/user/${name}`, post, async (request, reply) => {
      const id = text(request.body, 'user', 128);
      try {
        const outcome = await action(id, request.body ?? {}, request);
        const { done, to } = typeof outcome === 'string' ? { done: outcome, to: userPath(id) } : outcome;
        return redirectDone(reply, to, done);
      } catch (error) {
        const refused = refusal(error);
        if (!refused) throw error;
        return services.showUser(request, reply, id, refused.status, refused.message);
      }
    });
  }

  async function existing(id: string): Promise<void> {
    if (!(await gateway.users.find(id)))
      throw new SekishoError('SEKISHO_ERR_USER_NOT_FOUND', `no user ${id}`);
  }

  /** Locking or deleting yourself would end the session you are using and lock you out. */
  function refuseSelf(id: string, request: FastifyRequest): void {
    if (id === actorOf(request).id)
      throw new SekishoError('SEKISHO_ERR_USAGE', adminMessages(request).user.notYourself);
  }
}
