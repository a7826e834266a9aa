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
  /** The same names in lower case, as they are set on the backend request. */
  readonly lowerNames: IdentityHeaderNames;
  /** Identity header names, normalised (lower case, `_` → `-`). */
  readonly forbidden: ReadonlySet<string>;
  /** Cookies of the gateway itself, removed from the Cookie header. */
  readonly gatewayCookies: ReadonlySet<string>;
}

export function headerPolicy(names: IdentityHeaderNames, gatewayCookies: string[]): HeaderPolicy {
  const forbidden = new Set([names.user, names.groups, names.methods].map(normaliseName));
  const lowerNames = {
    user: names.user.toLowerCase(),
    groups: names.groups.toLowerCase(),
    methods: names.methods.toLowerCase(),
  };
  // Each name with and without the `__Host-` prefix: neither form may come from a client or backend.
  const cookies = new Set(
    gatewayCookies.flatMap((c) => [c, c.replace(/^__Host-/, ''), `__Host-${c.replace(/^__Host-/, '')}`]),
  );
  return { names, lowerNames, forbidden, gatewayCookies: cookies };
}

/** Header names as a backend framework may read them: case, `_`/`-` and stray whitespace folded. */
function normaliseName(name: string): string {
  return name.trim().toLowerCase().replaceAll('_', '-');
}

/** Connection-level headers that a proxy must not forward (RFC 9110 §7.6.1). */
const hopByHopHeaders: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
]);

export interface ForwardContext {
  /** The address this request came from (the socket's peer). */
  readonly peer: string;
  /** Whether that peer is a trusted proxy (`trustProxy`): only then do its forwarding headers count. */
  readonly peerTrusted: boolean;
  readonly protocol: string;
  readonly host: string;
}

/**
 * The headers a backend receives: every inbound copy of an identity header and the
 * gateway's cookies removed, forwarding headers set, then the identity (if any) added.
 * On every proxied request, so it avoids per-request allocations where it can.
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
  const listed = typeof inbound.connection === 'string' ? connectionListed(inbound.connection) : null;
  for (const name in inbound) {
    // Node gives header names in lower case; a backend may also read `_` as `-`.
    const folded = name.includes('_') ? name.replaceAll('_', '-') : name;
    if (policy.forbidden.has(folded) || hopByHopHeaders.has(name) || listed?.has(name)) continue;
    headers[name] = inbound[name];
  }
  const cookie = stripCookies(inbound.cookie, policy.gatewayCookies);
  if (cookie) headers.cookie = cookie;
  else delete headers.cookie;
  setForwarding(headers, inbound, context);
  if (session) {
    headers[policy.lowerNames.user] = session.userId;
    headers[policy.lowerNames.groups] = session.groups.join(',');
    headers[policy.lowerNames.methods] = session.proven.join(',');
  }
  return headers;
}

function connectionListed(value: string): Set<string> {
  return new Set(value.split(',').map((n) => n.trim().toLowerCase()));
}

/**
 * X-Forwarded-For as a proxy chain writes it: what a trusted peer sent, then that peer. From
 * an untrusted peer (any client, with `trustProxy` a list or hop count that does not name it)
 * every inbound forwarding header is dropped, so a client cannot plant addresses.
 */
function setForwarding(
  headers: IncomingHttpHeaders,
  inbound: IncomingHttpHeaders,
  context: ForwardContext,
): void {
  const previous = context.peerTrusted ? inbound['x-forwarded-for'] : undefined;
  headers['x-forwarded-for'] = previous ? `${previous}, ${context.peer}` : context.peer;
  headers['x-forwarded-proto'] = context.protocol;
  headers['x-forwarded-host'] = context.host;
  if (!context.peerTrusted) {
    delete headers.forwarded;
    delete headers['x-real-ip'];
  }
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
