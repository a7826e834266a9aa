import type { IncomingHttpHeaders } from 'node:http';
import type { StoredSession } from '../ports/store.ts';

export interface IdentityHeaderNames {
  readonly user: string;
  readonly groups: string;
  readonly methods: string;
}

/** The lower-cased names that must never reach a backend from the client. */
export interface HeaderPolicy {
  readonly names: IdentityHeaderNames;
  /** Identity header names, normalised (lower case, `_` → `-`). */
  readonly forbidden: ReadonlySet<string>;
  /** Cookies of the gateway itself, removed from the Cookie header. */
  readonly gatewayCookies: ReadonlySet<string>;
  readonly trustProxy: boolean;
}

export function headerPolicy(
  names: IdentityHeaderNames,
  gatewayCookies: string[],
  trustProxy: boolean,
): HeaderPolicy {
  const forbidden = new Set([names.user, names.groups, names.methods].map(normaliseName));
  return { names, forbidden, gatewayCookies: new Set(gatewayCookies), trustProxy };
}

/** Header names as a backend framework may read them: case, `_`/`-` and stray whitespace folded. */
function normaliseName(name: string): string {
  return name.trim().toLowerCase().replaceAll('_', '-');
}

/** Connection-level headers that a proxy must not forward (RFC 9110 §7.6.1). */
const hopByHopHeaders = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade'];

export interface ForwardContext {
  readonly clientIp: string;
  readonly protocol: string;
  readonly host: string;
}

/**
 * The headers a backend receives: every inbound copy of an identity header and the
 * gateway's cookies removed, forwarding headers set, then the identity (if any) added.
 */
export function backendHeaders(
  inbound: IncomingHttpHeaders,
  policy: HeaderPolicy,
  session: StoredSession | null,
  context: ForwardContext,
): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  // Hop-by-hop headers (and any the client lists in Connection) end here; otherwise
  // `Connection: X-Remote-User` would make the proxy drop the identity set below.
  const listed =
    typeof inbound.connection === 'string'
      ? inbound.connection.split(',').map((n) => n.trim().toLowerCase())
      : [];
  const hopByHop = new Set([...hopByHopHeaders, ...listed]);
  for (const [name, value] of Object.entries(inbound)) {
    if (policy.forbidden.has(normaliseName(name)) || hopByHop.has(name)) continue;
    headers[name] = value;
  }
  const cookie = stripCookies(inbound.cookie, policy.gatewayCookies);
  if (cookie) headers.cookie = cookie;
  else delete headers.cookie;
  setForwarding(headers, inbound, policy.trustProxy, context);
  if (session) {
    headers[policy.names.user.toLowerCase()] = session.userId;
    headers[policy.names.groups.toLowerCase()] = session.groups.join(',');
    headers[policy.names.methods.toLowerCase()] = session.proven.join(',');
  }
  return headers;
}

function setForwarding(
  headers: IncomingHttpHeaders,
  inbound: IncomingHttpHeaders,
  trustProxy: boolean,
  context: ForwardContext,
): void {
  const previous = trustProxy ? inbound['x-forwarded-for'] : undefined;
  headers['x-forwarded-for'] = previous ? `${previous}, ${context.clientIp}` : context.clientIp;
  headers['x-forwarded-proto'] = context.protocol;
  headers['x-forwarded-host'] = context.host;
  if (!trustProxy) delete headers.forwarded;
}

function stripCookies(header: string | undefined, names: ReadonlySet<string>): string | undefined {
  if (!header) return undefined;
  const kept = header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.length > 0 && !names.has(part.slice(0, Math.max(part.indexOf('='), 0)).trim()));
  return kept.length > 0 ? kept.join('; ') : undefined;
}
