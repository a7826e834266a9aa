import type { IncomingHttpHeaders } from 'node:http';
import { defaultIdentityHeaders } from '../config/schema.ts';
import type { StoredSession } from '../ports/store.ts';
import { connectionListed, hopByHopHeaders } from './hop-by-hop.ts';

export interface IdentityHeaderNames {
  readonly user: string;
  readonly groups: string;
  readonly methods: string;
  /** The signed identity assertion (a JWT). */
  readonly assertion: string;
}

/** The lower-cased names that must never reach a backend from the client. */
export interface HeaderPolicy {
  readonly names: IdentityHeaderNames;
  /** The same names in lower case, as they are set on the backend request. */
  readonly lowerNames: IdentityHeaderNames;
  /**
   * Identity header names, normalised (lower case, `_` → `-`): the configured names and the
   * default ones, so that a backend still reading `X-Remote-User` after a rename cannot be fed one.
   */
  readonly forbidden: ReadonlySet<string>;
  /** Cookies of the gateway itself, removed from the Cookie header. */
  readonly gatewayCookies: ReadonlySet<string>;
  /** What becomes of an inbound header name (as Node gives it, lower case); see {@link inboundVerdict}. */
  readonly verdicts: Map<string, number>;
}

export function headerPolicy(names: IdentityHeaderNames, gatewayCookies: string[]): HeaderPolicy {
  const configured = [names.user, names.groups, names.methods, names.assertion];
  const defaults = Object.values(defaultIdentityHeaders);
  const forbidden = new Set([...configured, ...defaults].map(normaliseName));
  const lowerNames = {
    user: names.user.toLowerCase(),
    groups: names.groups.toLowerCase(),
    methods: names.methods.toLowerCase(),
    assertion: names.assertion.toLowerCase(),
  };
  // Each name bare and with the `__Host-` and `__Secure-` prefixes: no form may come from a client or backend.
  const cookies = new Set(
    gatewayCookies.flatMap((c) => {
      const bare = c.replace(/^__(Host|Secure)-/, '');
      return [bare, `__Host-${bare}`, `__Secure-${bare}`];
    }),
  );
  return { names, lowerNames, forbidden, gatewayCookies: cookies, verdicts: new Map() };
}

/** Header names as a backend framework may read them: case, `_`/`-` and stray whitespace folded. */
function normaliseName(name: string): string {
  return name.trim().toLowerCase().replaceAll('_', '-');
}

/** Verdicts remembered per policy: the usual names, not every name a client can make up. */
const maxVerdicts = 512;

/**
 * What becomes of an inbound header on its way to a backend; `dropUntrusted`: kept only from a
 * trusted proxy (`trustProxy`), as it speaks of the client or the original request.
 */
const Verdict = { keep: 0, drop: 1, dropUntrusted: 2 } as const;
type Verdict = (typeof Verdict)[keyof typeof Verdict];

/**
 * Headers that rewrite which URL a backend serves (IIS, some PHP and Java frameworks): the
 * gateway checked the rule against the request line, so a backend must never see another path.
 */
const pathOverrides: ReadonlySet<string> = new Set(['x-original-url', 'x-rewrite-url']);

/**
 * Set again below from what may pass (Cookie, without the gateway's cookies; the forwarding
 * headers, from a trusted proxy's and the gateway's own view), or answered by Node itself
 * (Expect: 100-continue; undici refuses to send it on).
 */
const rebuilt: ReadonlySet<string> = new Set([
  'cookie',
  'expect',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
]);

/**
 * Headers in which proxies describe the client or the original request. From anyone but a
 * trusted proxy they are dropped: a backend that trusts its proxy believes them (addresses,
 * scheme, port, prefix: redirects, cache keys, IP allow-lists). The whole `X-Forwarded-*`
 * family counts; the gateway then sets its own `X-Forwarded-For/Proto/Host`.
 */
const clientDescriptions: ReadonlySet<string> = new Set([
  'forwarded',
  'x-real-ip',
  'x-client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'x-cluster-client-ip',
  'client-ip',
]);

/**
 * What becomes of an inbound header: dropped (an identity header in any spelling, hop-by-hop,
 * a path override), dropped unless a trusted proxy sent it (a client description), or kept.
 * Decided once per name (a bounded memo), as it is asked for every header of every request.
 */
function inboundVerdict(policy: HeaderPolicy, name: string): Verdict {
  const known = policy.verdicts.get(name) as Verdict | undefined;
  if (known !== undefined) return known;
  // Node gives header names in lower case; a backend may also read `_` as `-`.
  const folded = normaliseName(name);
  const verdict: Verdict =
    policy.forbidden.has(folded) ||
    hopByHopHeaders.has(name) ||
    pathOverrides.has(folded) ||
    rebuilt.has(name)
      ? Verdict.drop
      : clientDescriptions.has(folded) || folded.startsWith('x-forwarded-')
        ? Verdict.dropUntrusted
        : Verdict.keep;
  // A full memo starts again: made-up names cannot crowd out the usual ones for good.
  if (policy.verdicts.size >= maxVerdicts) policy.verdicts.clear();
  policy.verdicts.set(name, verdict);
  return verdict;
}

export interface ForwardContext {
  /** The address this request came from (the socket's peer). */
  readonly peer: string;
  /** Whether that peer is a trusted proxy (`trustProxy`): only then do its forwarding headers count. */
  readonly peerTrusted: boolean;
  readonly protocol: string;
  readonly host: string;
}

/**
 * The headers a backend receives, as undici's flat list (name, value, name, value…; names in
 * lower case, each once but for a repeated inbound header): every inbound copy of an identity
 * header and the gateway's cookies removed, forwarding headers set, then the identity (if any)
 * added with its signed assertion (null: assertions are off). On every proxied request: a list
 * rather than an object, as undici reads it in order without looking each name up again.
 */
export function backendHeaders(
  inbound: IncomingHttpHeaders,
  policy: HeaderPolicy,
  session: StoredSession | null,
  context: ForwardContext,
  assertion: string | null,
): string[] {
  const headers: string[] = [];
  // Hop-by-hop headers (and any the client lists in Connection) end here; otherwise
  // `Connection: X-Remote-User` would make the proxy drop the identity set below.
  const listed = connectionListed(inbound.connection);
  for (const name in inbound) {
    const verdict = inboundVerdict(policy, name);
    if (verdict === Verdict.drop || listed?.has(name)) continue;
    if (verdict === Verdict.dropUntrusted && !context.peerTrusted) continue;
    const value = inbound[name];
    if (typeof value === 'string') headers.push(name, value);
    else if (value !== undefined) for (const each of value) headers.push(name, each);
  }
  const cookie = stripCookies(inbound.cookie, policy.gatewayCookies);
  if (cookie) headers.push('cookie', cookie);
  // X-Forwarded-For as a proxy chain writes it: what a trusted peer sent, then that peer. From an
  // untrusted peer (any client, with `trustProxy` a list or hop count that does not name it) no
  // forwarding header of its own counts ({@link inboundVerdict}), so a client cannot plant addresses.
  const previous = context.peerTrusted ? inbound['x-forwarded-for'] : undefined;
  headers.push(
    'x-forwarded-for',
    previous ? `${previous}, ${context.peer}` : context.peer,
    'x-forwarded-proto',
    context.protocol,
    'x-forwarded-host',
    context.host,
  );
  if (session) {
    const names = policy.lowerNames;
    headers.push(names.user, session.userId, names.groups, session.groups.join(','));
    headers.push(names.methods, session.proven.join(','));
    if (assertion !== null) headers.push(names.assertion, assertion);
  }
  return headers;
}

/** The same headers as an object, for the Fastify carrier (@fastify/http-proxy and its WebSocket client). */
export function backendHeaderObject(...args: Parameters<typeof backendHeaders>): IncomingHttpHeaders {
  const list = backendHeaders(...args);
  const headers: Record<string, string | string[]> = {};
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i] as string;
    const value = list[i + 1] as string;
    const before = headers[name];
    headers[name] = before === undefined ? value : [before, value].flat();
  }
  return headers;
}

function stripCookies(header: string | undefined, names: ReadonlySet<string>): string | undefined {
  if (!header) return undefined;
  let kept = '';
  let start = 0;
  while (start <= header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const part = header.slice(start, end).trim();
    const eq = part.indexOf('=');
    if (part.length > 0 && !names.has(part.slice(0, Math.max(eq, 0)).trim()))
      kept = kept === '' ? part : `${kept}; ${part}`;
    start = end + 1;
  }
  return kept === '' ? undefined : kept;
}
