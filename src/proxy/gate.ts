import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessDecision } from '../domain/rules/types.ts';
import { ADMIN_PREFIX } from '../core/rule-engine.ts';
import type { ActiveSession } from '../core/session-service.ts';
import type { StoredSession } from '../ports/session-store.ts';
import type { RequestPipeline } from '../pipeline/pipeline.ts';
import type { Gateway } from '../core/gateway.ts';
import { sessionRead, upstreamFailure } from './lean-proxy.ts';
import { sendMessage, wantsHtml } from '../web/pages.ts';
import { loginUrl, mfaUrl, ownPrefix } from '../web/paths.ts';
import { upstreamFailed } from './proxy.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The session the gate let through; null on BYPASS paths and the gateway's own pages. */
    gatewaySession: ActiveSession | null;
    /** The signed identity assertion for the backend the gate let this request through to, or null. */
    gatewayAssertion: string | null;
  }
}

/**
 * The checkpoint: every request outside `/_sekisho/` is decided here, before routing, by the
 * same pipeline as the lean path (canonical target, rule, session, decision). Default deny;
 * at most one store round trip; fail closed when a dependency is down.
 */
export function createGate(gateway: Gateway, pipeline: RequestPipeline) {
  const hasHome = gateway.config.homePath !== undefined;
  const { classifier } = pipeline;
  return async function gate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    // The lean path already let this request through, and its backend failed: the error page.
    const failed = request.raw[upstreamFailure];
    if (failed) return void upstreamFailed(reply, failed.backend, failed.error);
    if (request.url.startsWith(ownPrefix) && !isGuardedOwnPath(request.url)) return;
    // `/` only redirects to homePath (app.ts), whose own rule then guards it; without this,
    // default deny would answer 403 before the redirect unless a rule happened to cover `/`.
    if (hasHome && isHomeRequest(request)) return;
    if (!gateway.readiness.isReady) return unavailable(request, reply);
    // request.url is already canonical (rewriteUrl): path and rule are found once.
    const mark = request.url.indexOf('?');
    const located = classifier.locate(
      {
        path: mark === -1 ? request.url : request.url.slice(0, mark),
        query: mark === -1 ? '' : request.url.slice(mark),
      },
      request.headers.host ?? null,
      () => pipeline.client.ip(request.raw),
    );
    if (!classifier.needsSession(located))
      return finish(gateway, request, reply, classifier.classify(located, null).decision);
    const token = pipeline.sessionToken(request.headers.cookie);
    // The lean path read this cookie's session a moment ago and handed the request over: no second read.
    const known = request.raw[sessionRead];
    const outcome = known && known.token === token ? known.outcome : await pipeline.sessions.readAsync(token);
    if (!outcome.ok) {
      request.log.error({ err: outcome.error }, 'session store unreachable; refusing (fail closed)');
      return unavailable(request, reply);
    }
    request.gatewaySession = outcome.session;
    const verdict = classifier.classify(located, outcome.session);
    if (verdict.kind === 'forward' && verdict.identity && 'backend' in located && located.backend !== null)
      request.gatewayAssertion = await assert(gateway, verdict.identity, located.backend);
    return finish(gateway, request, reply, verdict.decision);
  };
}

/** The assertion the Fastify carrier sends (the lean path signs the same way: one cache). */
async function assert(gateway: Gateway, identity: StoredSession, backend: string): Promise<string | null> {
  const signer = gateway.assertions;
  if (!signer) return null;
  return signer.cached(identity, backend) ?? (await signer.assertion(identity, backend));
}

/**
 * The admin console is one of the gateway's own pages but is guarded by the rules like a
 * backend. Routing ignores letter case, so the check does too.
 */
function isGuardedOwnPath(url: string): boolean {
  return url.slice(0, ADMIN_PREFIX.length).toLowerCase() === ADMIN_PREFIX;
}

function isHomeRequest(request: FastifyRequest): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && pathOf(request.url) === '/';
}

function finish(gateway: Gateway, request: FastifyRequest, reply: FastifyReply, decision: AccessDecision) {
  // The rule's prefix names it (a bounded set); no-rule and bad-path have none.
  const rule = 'rule' in decision ? decision.rule.prefix : '';
  gateway.metrics.decisions.inc({ decision: decision.kind, rule });
  switch (decision.kind) {
    case 'allow':
    case 'bypass':
      if (decision.kind === 'bypass') request.gatewaySession = null;
      return;
    case 'bad-path':
      return refuse(request, reply, 400, 'bad_path', (t) => t.badRequest);
    case 'no-rule':
      request.log.info({ path: decision.path }, 'no access rule matches: default deny');
      return refuse(request, reply, 403, 'forbidden', (t) => t.forbidden);
    case 'forbidden':
      request.log.info(
        { user: request.gatewaySession?.data.userId, rule: decision.rule.line },
        'access denied',
      );
      return refuse(request, reply, 403, 'forbidden', (t) => t.forbidden);
    case 'authenticate':
      return askToAuthenticate(request, reply, decision.next);
  }
}

function askToAuthenticate(request: FastifyRequest, reply: FastifyReply, next: readonly string[]) {
  // Only a lone password goes straight to the login form; a choice or a passwordless method goes
  // to the MFA dispatcher, which offers the choice or the ID-only page.
  const page = next.length === 1 && next[0] === 'password' ? loginUrl(request.url) : mfaUrl(request.url);
  if (wantsHtml(request) && (request.method === 'GET' || request.method === 'HEAD')) {
    return reply.code(302).header('location', page).header('cache-control', 'no-store').send();
  }
  return reply
    .code(401)
    .header('cache-control', 'no-store')
    .send({ error: 'authentication_required', methods: next, login: page });
}

function refuse(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  message: Parameters<typeof sendMessage>[2]['message'],
) {
  if (!wantsHtml(request))
    return reply.code(status).header('cache-control', 'no-store').send({ error: code });
  return sendMessage(request, reply, {
    status,
    message,
    detail: status === 403 ? (t) => t.forbiddenDetail : undefined,
  });
}

function unavailable(request: FastifyRequest, reply: FastifyReply) {
  reply.header('retry-after', '5');
  return refuse(request, reply, 503, 'unavailable', (t) => t.unavailable);
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
