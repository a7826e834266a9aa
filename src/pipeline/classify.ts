import { decideLocated, locateRule, type LocatedRequest } from '../domain/rules/decide.ts';
import type { ClientAddressSource, RuleSet } from '../domain/rules/rule-set.ts';
import type { AccessDecision, MethodCatalogue } from '../domain/rules/types.ts';
import type { StoredSession } from '../ports/store.ts';
import type { ActiveSession } from '../core/session-service.ts';

/** The gateway's own pages: never a backend, whatever the configuration says. */
export const OWN_SEGMENT = '_sekisho';

/** A request's canonical target (see canonical-target.ts). */
export interface CanonicalRequest {
  readonly path: string;
  /** `?…` or empty. */
  readonly query: string;
}

/**
 * A proxied request located: its rule (found once, without the session), the backend whose
 * `/<name>/` it falls under (null for the gateway's own pages and paths no backend serves).
 */
export type Located =
  | Exclude<LocatedRequest, { kind: 'located' | 'bypass' }>
  | (Extract<LocatedRequest, { kind: 'located' | 'bypass' }> & {
      readonly backend: string | null;
      readonly query: string;
    });

/** What to do with a located request, given what its session has proven. */
export type Classified =
  | { readonly kind: 'forward'; readonly decision: AccessDecision; readonly identity: StoredSession | null }
  | { readonly kind: 'answer'; readonly decision: AccessDecision };

/** The one classification both proxy carriers use: rule, backend, then the decision. */
export class RequestClassifier {
  private readonly rules: () => RuleSet;
  private readonly catalogue: MethodCatalogue;
  private readonly backends: ReadonlySet<string>;
  private readonly now: () => number;

  constructor(deps: {
    rules: () => RuleSet;
    catalogue: MethodCatalogue;
    backends: Iterable<string>;
    /** The gateway's clock (ms): `reauth=` is judged against it. */
    now: () => number;
  }) {
    this.rules = deps.rules;
    this.catalogue = deps.catalogue;
    this.backends = new Set([...deps.backends].filter((name) => name !== OWN_SEGMENT));
    this.now = deps.now;
  }

  /**
   * The rule and backend of a canonical request (`host`: its Host header, if any); everything that
   * does not depend on the session. `client` reads the client's address with the pipeline's one reader (`trustProxy` applied),
   * which `from=` rules are matched on; it is called only when a `from=` rule is on the way.
   */
  locate(request: CanonicalRequest, host: string | null, client: ClientAddressSource): Located {
    const found = locateRule(this.rules(), { host, rawPath: request.path, client });
    if (found.kind !== 'located' && found.kind !== 'bypass') return found;
    const name = firstSegment(found.path);
    return { ...found, backend: this.backends.has(name) ? name : null, query: request.query };
  }

  /** Whether the rule needs the session at all (BYPASS does not). */
  needsSession(located: Located): boolean {
    return located.kind === 'located';
  }

  /**
   * The decision for a located request with its session (null: none): `forward` when the
   * rule lets it through (with the identity the backend is told, null on BYPASS), else the
   * answer the gate gives (a login, a further method, 403, 400).
   */
  classify(located: Located, session: ActiveSession | null): Classified {
    if (located.kind === 'bypass') return { kind: 'forward', decision: located, identity: null };
    if (located.kind !== 'located') return { kind: 'answer', decision: located };
    const decision = decideLocated(located, session?.data ?? null, this.catalogue, this.now());
    if (decision.kind !== 'allow') return { kind: 'answer', decision };
    return { kind: 'forward', decision, identity: session?.data ?? null };
  }
}

/** `/name/rest` or `/name` → `name`. */
function firstSegment(path: string): string {
  const end = path.indexOf('/', 1);
  return end === -1 ? path.slice(1) : path.slice(1, end);
}
