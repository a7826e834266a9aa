import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessDecision } from '../../domain/rules/types.ts';
import type { StoredSession } from '../../ports/session-store.ts';
import type { RequestPipeline } from '../../pipeline/pipeline.ts';
import { wantsHtml } from '../../web/pages.ts';
import { loginUrl, mfaUrl, ownPrefix } from '../../web/paths.ts';
import type { AuthzDeps } from './deps.ts';
import {
  fromAuthRequest,
  fromForwardAuth,
  type OriginalOutcome,
  type OriginalRequest,
} from './original-request.ts';

/** nginx `auth_request`. */
export const authRequestPath = `${ownPrefix}authz/auth-request`;
/** Traefik ForwardAuth, Caddy `forward_auth`. */
export const forwardAuthPath = `${ownPrefix}authz/forward-auth`;

type Style = 'auth-request' | 'forward-auth';

/**
 * Forward authentication: a proxy in front (nginx, Caddy, Traefik) asks whether a request may
 * pass and as whom. The answer comes from the same pipeline as a proxied request — canonical
 * target, rule, session (its idle timer renewed), decision — and a `200` carries the identity
 * headers and the assertion the proxy then sends its backend (docs/forward-auth.md).
 */
export async function authzRoutes(app: FastifyInstance, deps: AuthzDeps, pipeline: RequestPipeline) {
  const answer = (style: Style, read: (headers: FastifyRequest['headers']) => OriginalOutcome) =>
    async function authorize(request: FastifyRequest, reply: FastifyReply) {
      reply.header('cache-control', 'no-store');
      // Which request this is about comes from headers only a trusted proxy may set.
      if (!pipeline.client.peerTrusted(request.raw)) {
        request.log.warn(
          { peer: request.raw.socket.remoteAddress },
          'authorization asked by an untrusted peer',
        );
        return reply.code(403).send({ error: 'untrusted_peer' });
      }
      const original = read(request.headers);
      if (!original.ok) {
        request.log.info(
          { reason: original.reason },
          'authorization request without a usable original request',
        );
        return reply.code(400).send({ error: 'bad_request' });
      }
      if (!deps.readiness.isReady) return unavailable(reply);
      return decide(request, reply, style, original.request);
    };

  async function decide(
    request: FastifyRequest,
    reply: FastifyReply,
    style: Style,
    original: OriginalRequest,
  ) {
    const { classifier } = pipeline;
    const target = pipeline.target(original.target);
    if (!target.ok)
      return finish(request, reply, style, original, '', { kind: 'bad-path', reason: target.reason });
    const next = target.path + target.query;
    // The client as the proxy in front reports it (X-Forwarded-For from a trusted peer): the same reader.
    const located = classifier.locate(target, original.host, () => pipeline.client.ip(request.raw));
    if (!classifier.needsSession(located))
      return finish(request, reply, style, original, next, classifier.classify(located, null).decision);
    // The proxy passes the browser's Cookie header along: the same cookie reader, the same session read.
    const outcome = await pipeline.sessions.readAsync(pipeline.sessionToken(request.headers.cookie));
    if (!outcome.ok) {
      request.log.error({ err: outcome.error }, 'session store unreachable; refusing (fail closed)');
      return unavailable(reply);
    }
    const verdict = classifier.classify(located, outcome.session);
    if (verdict.kind === 'forward' && verdict.identity)
      await setIdentity(reply, verdict.identity, original.host);
    return finish(request, reply, style, original, next, verdict.decision, outcome.session?.data.userId);
  }

  async function setIdentity(reply: FastifyReply, identity: StoredSession, audience: string) {
    const names = deps.config.identityHeaders;
    reply.header(names.user, identity.userId);
    reply.header(names.groups, identity.groups.join(','));
    reply.header(names.methods, identity.proven.join(','));
    const signer = deps.assertions;
    if (signer)
      reply.header(
        names.assertion,
        signer.cached(identity, audience) ?? (await signer.assertion(identity, audience)),
      );
  }

  function finish(
    request: FastifyRequest,
    reply: FastifyReply,
    style: Style,
    original: OriginalRequest,
    next: string,
    decision: AccessDecision,
    user?: string,
  ) {
    const rule = 'rule' in decision ? decision.rule.prefix : '';
    deps.metrics.decisions.inc({ decision: decision.kind, rule });
    switch (decision.kind) {
      case 'allow':
      case 'bypass':
        return reply.code(200).send();
      case 'bad-path':
        return reply.code(400).send({ error: 'bad_path' });
      case 'no-rule':
        request.log.info({ path: decision.path }, 'no access rule matches: default deny');
        return reply.code(403).send({ error: 'forbidden' });
      case 'forbidden':
        request.log.info({ user, rule: decision.rule.line }, 'access denied');
        return reply.code(403).send({ error: 'forbidden' });
      case 'authenticate': {
        const { next: methods } = decision;
        const page = methods.length === 1 && methods[0] === 'password' ? loginUrl(next) : mfaUrl(next);
        reply.header('location', page);
        const browser = wantsHtml(request) && (original.method === 'GET' || original.method === 'HEAD');
        if (style === 'forward-auth' && browser) return reply.code(302).send();
        return reply.code(401).send({ error: 'authentication_required', methods, login: page });
      }
    }
  }

  app.get(authRequestPath, answer('auth-request', fromAuthRequest));
  app.get(forwardAuthPath, answer('forward-auth', fromForwardAuth));
}

function unavailable(reply: FastifyReply) {
  return reply.code(503).header('retry-after', '5').send({ error: 'unavailable' });
}
