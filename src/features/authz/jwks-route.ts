import type { FastifyInstance } from 'fastify';
import { ownPrefix } from '../../web/paths.ts';
import type { AuthzDeps } from './deps.ts';

export const jwksPath = `${ownPrefix}.well-known/jwks.json`;

/**
 * The assertion's public keys (RFC 7517): the current key and the retired ones still kept. Cached
 * by verifiers for five minutes; after `sekisho keys rotate` a verifier meets an unknown `kid` and
 * fetches again (docs/assertion.md).
 */
export async function jwksRoute(app: FastifyInstance, deps: Pick<AuthzDeps, 'assertions'>) {
  app.get(jwksPath, async (_request, reply) => {
    const signer = deps.assertions;
    if (!signer) return reply.code(404).header('cache-control', 'no-store').send({ error: 'not_found' });
    return reply
      .header('cache-control', 'public, max-age=300')
      .header('content-type', 'application/jwk-set+json')
      .send(JSON.stringify(signer.jwks()));
  });
}
