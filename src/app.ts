import { cookieNames } from './web/session-cookie.ts';
import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { hasBody, isBodyRefused } from './pipeline/canonical-target.ts';
import { createPipeline, type RequestPipeline } from './pipeline/pipeline.ts';
import { createGate } from './proxy/gate.ts';
import type { GatewayMetrics } from './metrics/metrics.ts';
import { type Gateway } from './core/gateway.ts';
import { headerPolicy } from './proxy/identity-headers.ts';
import { sendMessage, wantsHtml } from './web/pages.ts';
import { pageShellOf } from './web/page-shell-config.ts';
import { Proxying } from './proxy/proxy.ts';
import { loginRoutes } from './features/login/login-routes.ts';
import { logoutRoutes } from './features/login/logout-routes.ts';
import { meRoutes } from './features/me/me-routes.ts';
import { mfaRoutes } from './features/login/mfa-routes.ts';
import { recoveryRoutes } from './features/login/recovery-routes.ts';
import { registerPluginRoutes } from './features/login/plugin-routes.ts';
import { operationsRoutes } from './features/operations/operations-routes.ts';
import { registerPushRoutes } from './features/push/routes.ts';
import { registerPushPages } from './features/push/pages.ts';
import { adminRoutes } from './features/admin/routes.ts';
import { authzRoutes } from './features/authz/authz-routes.ts';
import { jwksRoute } from './features/authz/jwks-route.ts';

declare module 'fastify' {
  interface FastifyReply {
    /** A form's anti-CSRF token, bound to the browser's session cookie (or to having none). */
    csrfToken(): string;
  }
}

/** Paths that cannot be normalised safely are routed here and answered 400. */
const badPathRoute = '/_sekisho/bad-path';

/** Builds the gateway's Fastify app; `server.ts` listens. Registration order is explicit on purpose. */
export async function buildApp(gateway: Gateway): Promise<FastifyInstance> {
  const { config } = gateway;
  const names = cookieNames(config);
  const pipeline = createPipeline({
    config,
    sessionCookie: names.session,
    rules: () => gateway.rules.current,
    catalogue: gateway.catalogue,
    now: () => gateway.clock.now(),
    sessions: gateway.sessions,
    onStoreError: (error) => {
      gateway.metrics.storeErrors.inc({ store: 'session' });
      gateway.readiness.markFailing('store', error instanceof Error ? error.message : 'error');
    },
  });
  const proxying = new Proxying(gateway, pipeline);
  const app = Fastify({
    serverFactory: proxying.serverFactory,
    loggerInstance: gateway.log as FastifyBaseLogger,
    trustProxy: trustProxyOption(config.trustProxy),
    // Case-sensitive on the canonical target: a router that folds case folds Unicode too.
    routerOptions: { caseSensitive: true },
    genReqId: () => randomUUID(),
    rewriteUrl: (req) => (isBodyRefused(req) ? badPathRoute : canonicalUrl(pipeline, req.url ?? '/')),
    bodyLimit: 64 * 1024,
  });
  app.decorateRequest('gatewaySession', null);
  app.decorate('pageShell', pageShellOf(config));

  await app.register(cookie, { secret: gateway.secret });
  await app.register(helmet, {
    global: false,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        scriptSrc: ["'self'"],
      },
    },
  });
  await app.register(csrf, {
    // Bound to the session cookie: one user's token does not pass in another user's session.
    getUserInfo: (request: FastifyRequest) => csrfBinding(request, names.session),
    csrfOpts: { hmacKey: gateway.secret },
    cookieKey: names.csrf,
    cookieOpts: {
      path: '/',
      sameSite: 'lax',
      httpOnly: true,
      secure: config.session.secureCookie,
      signed: true,
    },
  });
  await app.register(rateLimit, {
    global: false,
    // Counted in the shared store when it has a backend for it (Redis), else in-process.
    ...gateway.store.rateLimitBackend(),
    keyGenerator: (request: FastifyRequest) => request.ip,
    errorResponseBuilder: (_request, context) => ({
      statusCode: context.statusCode,
      code: 'SEKISHO_ERR_RATE_LIMITED',
    }),
  });

  app.decorateReply('csrfToken', function (this: FastifyReply) {
    return this.generateCsrf({ userInfo: csrfBinding(this.request, names.session) });
  });
  app.addHook('onRequest', createGate(gateway, pipeline));
  setErrorPages(app, gateway.metrics);

  await app.register(async (pages) => {
    pages.addHook('onRequest', cutSlowForms(config.server.formTimeoutMs));
    await pages.register(formbody, { bodyLimit: 16 * 1024 });
    await loginRoutes(pages, gateway);
    await logoutRoutes(pages, gateway);
    await meRoutes(pages, gateway);
    await mfaRoutes(pages, gateway);
    await recoveryRoutes(pages, gateway);
    registerPluginRoutes(pages, gateway);
    if (gateway.push) {
      await registerPushRoutes(pages, gateway.push, config);
      await registerPushPages(pages, gateway);
    }
    await operationsRoutes(pages, gateway);
    await adminRoutes(pages, gateway);
    pages.all(badPathRoute, async (request, reply) =>
      sendOrJson(request, reply, 400, 'bad_path', (t) => t.badRequest),
    );
  });
  // Forward authentication for proxies in front, deciding with the same pipeline; the assertion's keys.
  await authzRoutes(app, gateway, pipeline);
  await jwksRoute(app, gateway);
  if (config.homePath) {
    const home = config.homePath;
    app.get('/', async (_request, reply) => reply.code(302).header('location', home).send());
  }
  const policy = headerPolicy(config.identityHeaders, [
    names.session,
    names.csrf,
    names.flow,
    names.lang,
    names.way,
  ]);
  await proxying.register(app, policy);
  return app;
}

/** A body for the gateway's own pages that has not arrived whole within `limitMs` closes its connection. */
function cutSlowForms(limitMs: number) {
  return async function formDeadline(request: FastifyRequest): Promise<void> {
    const raw = request.raw;
    if (!hasBody(raw) || raw.complete) return;
    const timer = setTimeout(() => {
      if (raw.complete) return;
      request.log.warn({ limitMs }, 'form body too slow; connection closed');
      raw.socket?.destroy();
    }, limitMs);
    timer.unref();
    const done = () => clearTimeout(timer);
    raw.once('end', done);
    raw.once('close', done);
  };
}

/** What a form's anti-CSRF token is bound to: the session cookie as sent, or having none. */
function csrfBinding(request: FastifyRequest, sessionCookie: string): string {
  return `session:${request.cookies[sessionCookie] ?? ''}`;
}

/** Routing, the gate and the proxy all see the canonical target the rules are matched on. */
function canonicalUrl(pipeline: RequestPipeline, url: string): string {
  const target = pipeline.target(url);
  return target.ok ? target.path + target.query : badPathRoute;
}

function setErrorPages(app: FastifyInstance, metrics: GatewayMetrics) {
  app.setNotFoundHandler(async (request, reply) =>
    sendOrJson(request, reply, 404, 'not_found', (t) => t.notFound),
  );
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (error.code?.startsWith('FST_CSRF')) {
      request.log.warn({ code: error.code }, 'form refused: anti-CSRF check failed');
      return sendOrJson(request, reply, 403, 'csrf', (t) => t.csrf);
    }
    if (status === 429) {
      reply.header('retry-after', '60');
      return sendOrJson(request, reply, 429, 'too_many_requests', (t) => t.tooManyAttempts);
    }
    if (status >= 400 && status < 500)
      return sendOrJson(request, reply, status, 'bad_request', (t) => t.badRequest);
    // Mostly a dependency that failed mid-request (Postgres, Redis): a calm 503 and a retry.
    metrics.requestErrors.inc({ where: 'fastify' });
    request.log.error({ err: error }, 'request failed');
    return sendOrJson(request, reply, 503, 'unavailable', (t) => t.unavailable);
  });
}

function sendOrJson(
  request: FastifyRequest,
  reply: Parameters<typeof sendMessage>[1],
  status: number,
  code: string,
  message: Parameters<typeof sendMessage>[2]['message'],
) {
  if (!wantsHtml(request))
    return reply.code(status).header('cache-control', 'no-store').send({ error: code });
  return sendMessage(request, reply, { status, message });
}

/** A hop count trusts that many proxies in front of us; lists and booleans pass through. */
function trustProxyOption(value: Gateway['config']['trustProxy']) {
  if (typeof value !== 'number') return value;
  return (_address: string, hop: number) => hop < value;
}
