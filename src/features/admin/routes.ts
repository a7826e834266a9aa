import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import { AdminService } from '../../core/admin-service.ts';
import type { AdminDeps } from './deps.ts';
import { auditRoutes } from './audit-routes.ts';
import { requireConsoleSession } from './console-session.ts';
import { sendAdminPage } from './render.ts';
import { historyRoutes } from './history-routes.ts';
import { ruleRoutes } from './rules-routes.ts';
import { loadStoredRules, ruleRows } from './rules-view.ts';
import { adminMessages } from './messages.ts';
import { SessionAdmin } from '../../core/session-admin.ts';
import { userActionRoutes } from './user-actions.ts';
import { userRoutes } from './users-routes.ts';

/**
 * The admin console under `/_sekisho/admin/`. The gate decides the path by the rules before
 * routing (default `/_sekisho/admin/=@admins;;SMSOTP`); every route here also insists on the
 * session the gate found and acts in its user's name. Plain forms, POST-redirect-GET, each POST
 * with its CSRF field.
 */
export async function adminRoutes(app: FastifyInstance, gateway: AdminDeps): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRequest', requireConsoleSession(gateway));
    const admin = new AdminService({
      users: gateway.users,
      rules: gateway.ruleRepository,
      hasher: gateway.hasher,
      audit: gateway.audit,
      catalogue: gateway.catalogue,
      networks: gateway.rules.networks,
    });
    const sessions = new SessionAdmin({
      sessions: gateway.sessions,
      audit: gateway.audit,
      secret: gateway.secret,
    });
    // Generous: a defence against a runaway script in an admin's session, not a login throttle.
    const post: RouteShorthandOptions = {
      preHandler: scope.csrfProtection,
      config: { rateLimit: { max: 300, timeWindow: 60_000 } },
    };

    scope.get('/_sekisho/admin/', async (request, reply) => {
      const a = adminMessages(request);
      const [loaded, users] = await Promise.all([
        loadStoredRules(gateway),
        gateway.users.countUsers(gateway.clock.now()),
      ]);
      const rows = await ruleRows(gateway, loaded, a, admin);
      return sendAdminPage(request, reply, {
        view: 'home',
        section: 'home',
        title: (m) => m.home.title,
        vars: {
          ruleCount: rows.length,
          warningCount: rows.reduce(
            (n, row) => n + row.warnings.filter((w) => w.severity === 'warning').length,
            0,
          ),
          userCount: users.total,
          flaggedCount: users.flagged,
        },
      });
    });
    ruleRoutes(scope, gateway, admin, post);
    historyRoutes(scope, gateway, admin, post);
    const { showUser } = userRoutes(scope, gateway, { admin, sessions }, post);
    userActionRoutes(scope, gateway, { admin, sessions, showUser }, post);
    auditRoutes(scope, gateway);
  });
}
