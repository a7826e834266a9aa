import type { Config } from '../config/schema.ts';
import type { RuleSet } from '../domain/rules/rule-set.ts';
import type { MethodCatalogue } from '../domain/rules/types.ts';
import { canonicalTarget, routedSegments, type CanonicalTarget } from './canonical-target.ts';
import { RequestClassifier } from './classify.ts';
import { clientAddress, type ClientAddress } from './client-address.ts';
import { cookieValue } from './cookie.ts';
import { SessionReader, type SessionSource } from './session-reader.ts';

/**
 * The request pipeline both proxy carriers run: canonical target → rule and backend →
 * session → decision → upstream target and identity. The lean carrier (node:http → undici)
 * and the Fastify carrier (the gate, then @fastify/http-proxy) differ only in how bytes move;
 * every input to a decision comes from here, read one way.
 */
export interface RequestPipeline {
  /** The canonical form of a raw request URL (path and query), or why it has none. */
  target(url: string): CanonicalTarget;
  readonly classifier: RequestClassifier;
  readonly sessions: SessionReader;
  /** The client's address and protocol, with `trustProxy` applied. */
  readonly client: ClientAddress;
  /** The session cookie's value in a Cookie header. */
  sessionToken(cookieHeader: string | undefined): string | undefined;
}

export interface PipelineDeps {
  readonly config: Pick<Config, 'backends' | 'trustProxy'>;
  readonly sessionCookie: string;
  readonly rules: () => RuleSet;
  readonly catalogue: MethodCatalogue;
  /** The gateway's clock (ms). */
  readonly now: () => number;
  readonly sessions: SessionSource;
  /** A session read failed: count it, mark the store failing, log it (once per failure). */
  readonly onStoreError: (error: unknown) => void;
}

export function createPipeline(deps: PipelineDeps): RequestPipeline {
  const backends = Object.keys(deps.config.backends);
  const routed = routedSegments(backends);
  return {
    target: (url) => canonicalTarget(url, routed),
    classifier: new RequestClassifier({
      rules: deps.rules,
      catalogue: deps.catalogue,
      backends,
      now: deps.now,
    }),
    sessions: new SessionReader(deps.sessions, deps.onStoreError),
    client: clientAddress(deps.config.trustProxy),
    sessionToken: (header) => cookieValue(header, deps.sessionCookie),
  };
}
