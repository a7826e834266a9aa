import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { AdminService } from '../../core/admin-service.ts';
import type { AdminDeps } from './deps.ts';
import { actorOf } from './console-session.ts';
import { list, raw, refusal, text, whole, type Fields } from './form.ts';
import { fill } from '../../web/i18n/catalogue.ts';
import { adminMessages } from './messages.ts';
import { consoleTime, redirectDone, sendAdminPage, userPath } from './render.ts';
import type { SessionAdmin } from '../../core/session-admin.ts';
import { USERS_PAGE, userRow, userStatus } from './users-view.ts';
import { listAuthenticators } from '../../core/authenticators.ts';
import { RecoveryCodes } from '../../core/recovery-codes.ts';
import { ACTIVATION_TTL_MS } from '../../core/factor-activation.ts';
import { pickLocale } from '../../web/i18n.ts';
import type { IssuedLinks } from './user-actions.ts';

const USERS = '/_sekisho/admin/users';

/** What the add-user form holds, for showing it again after a refusal. */
interface NewUserForm {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly phone: string;
  readonly groups: readonly string[];
}

/** Users: search, add, groups; one user's page with their sessions and devices; the sessions lookup. */
export function userRoutes(
  app: FastifyInstance,
  gateway: AdminDeps,
  services: { admin: AdminService; sessions: SessionAdmin },
  post: RouteShorthandOptions,
) {
  const { admin } = services;
  const recovery = new RecoveryCodes({
    repository: gateway.recoveryCodes,
    audit: gateway.audit,
    clock: gateway.clock,
    secret: gateway.secret,
  });

  app.get<{ Querystring: Fields }>(USERS, async (request, reply) =>
    showUsers(request, reply, 200, null, null),
  );

  app.post<{ Body: Fields }>(USERS, post, async (request, reply) => {
    const body = request.body;
    const form: NewUserForm = {
      id: text(body, 'id', 128),
      name: text(body, 'name', 128),
      email: text(body, 'email', 254),
      phone: text(body, 'phone', 20),
      groups: list(body, 'groups'),
    };
    const passwordless = text(body, 'nopassword') === '1';
    try {
      await admin.addUser(
        {
          id: form.id,
          displayName: form.name === '' ? undefined : form.name,
          email: form.email || null,
          phone: form.phone || null,
          groups: form.groups,
          password: passwordless ? null : raw(body, 'password'),
        },
        actorOf(request),
      );
      return redirectDone(reply, userPath(form.id), 'userAdded');
    } catch (error) {
      const refused = refusal(error);
      if (!refused) throw error;
      return showUsers(request, reply, refused.status, refused.message, form);
    }
  });

  app.post<{ Body: Fields }>('/_sekisho/admin/groups', post, async (request, reply) => {
    try {
      await admin.addGroup(text(request.body, 'group', 64), actorOf(request));
      return redirectDone(reply, USERS, 'groupAdded');
    } catch (error) {
      const refused = refusal(error);
      if (!refused) throw error;
      return showUsers(request, reply, refused.status, refused.message, null);
    }
  });

  app.get<{ Querystring: Fields }>('/_sekisho/admin/user', async (request, reply) =>
    showUser(request, reply, text(request.query, 'id', 128), 200, null),
  );

  app.get<{ Querystring: Fields }>('/_sekisho/admin/sessions', async (request, reply) => {
    const userId = text(request.query, 'user', 128);
    const user = userId === '' ? null : await gateway.users.find(userId);
    const sessions = user ? await services.sessions.list(user.id, request.gatewaySession?.hash ?? null) : [];
    return sendAdminPage(request, reply, {
      view: 'sessions',
      section: 'sessions',
      title: (a) => a.sessions.title,
      status: userId !== '' && !user ? 404 : 200,
      vars: { userId, found: user !== null, sessions, back: 'sessions' },
    });
  });

  async function showUsers(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    error: string | null,
    form: NewUserForm | null,
  ) {
    const a = adminMessages(request);
    const q = text(request.query as Fields, 'q', 128);
    const offset = whole(request.query as Fields, 'offset', 0);
    const [matching, groups] = await Promise.all([
      gateway.users.search(q, { offset, limit: USERS_PAGE }),
      gateway.users.listGroups(),
    ]);
    const now = gateway.clock.now();
    return sendAdminPage(request, reply, {
      view: 'users',
      section: 'users',
      title: (m) => m.users.title,
      status,
      error,
      vars: {
        q,
        total: matching.total,
        rows: matching.users.map((user) => userRow(user, now, a, consoleTime(request))),
        newer: offset > 0 ? Math.max(offset - USERS_PAGE, 0) : null,
        older: matching.total > offset + USERS_PAGE ? offset + USERS_PAGE : null,
        groups,
        form: form ?? { id: '', name: '', email: '', phone: '', groups: [] },
      },
    });
  }

  /** One user's page: profile, actions, authenticators, live sessions and push devices. */
  async function showUser(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    status: number,
    error: string | null,
    issued: IssuedLinks = {},
  ) {
    const user = id === '' ? null : await gateway.users.find(id);
    if (!user) {
      return sendAdminPage(request, reply, {
        view: 'user-missing',
        section: 'users',
        title: (a) => a.users.title,
        status: 404,
        vars: { id },
      });
    }
    const [groups, sessions, devices, authenticators, recoveryLeft] = await Promise.all([
      gateway.users.listGroups(),
      services.sessions.list(user.id, request.gatewaySession?.hash ?? null),
      gateway.push ? gateway.push.listDevices(user.id) : Promise.resolve(null),
      listAuthenticators(gateway.methods, user, pickLocale(request)),
      recovery.remaining(user.id),
    ]);
    const locale = pickLocale(request);
    const now = gateway.clock.now();
    return sendAdminPage(request, reply, {
      view: 'user',
      section: 'users',
      title: (a) => fill(a.user.title, { user: user.id }),
      status,
      error,
      vars: {
        user,
        userId: user.id,
        status: userStatus(user, now, adminMessages(request), consoleTime(request)),
        lockedOut: user.failedCount > 0 || (user.lockoutUntil !== null && user.lockoutUntil > now),
        isSelf: user.id === actorOf(request).id,
        groups: groups.map((g) => g.name),
        sessions,
        devices,
        authenticators: authenticators.map(({ method, loaded, items }) => ({
          method,
          label: loaded.plugin.messages[locale].methodName ?? method,
          items,
        })),
        recoveryLeft,
        activationUrl: issued.activationUrl ?? null,
        push: issued.push ?? null,
        pushEnabled: gateway.push !== null,
        activationHours: ACTIVATION_TTL_MS / 3_600_000,
        back: 'user',
      },
    });
  }

  return { showUser };
}
