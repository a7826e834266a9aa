/**
 * Which Web Push endpoints the gateway may post to (`push.webPush.allowedEndpoints`): URL prefixes
 * matched at a boundary, or prefixes whose host starts with `*.` (any subdomain of the rest). The
 * gateway never posts to an address a device chose unless an entry allows it.
 */

/** The browser vendors' push services: Chrome/Edge/Android (FCM), Firefox, Safari, Windows. */
export const VENDOR_PUSH_SERVICES: readonly string[] = [
  'https://fcm.googleapis.com/',
  'https://updates.push.services.mozilla.com/',
  'https://web.push.apple.com/',
  'https://*.notify.windows.com/',
];

/** One entry, parsed: scheme, host (or `*.suffix`), port and path prefix. */
export interface EndpointPrefix {
  readonly protocol: 'http:' | 'https:';
  /** Lower-case host; for a wildcard entry, the part after `*.` */
  readonly host: string;
  readonly wildcard: boolean;
  readonly port: string;
  /** The path prefix, always ending in `/`. */
  readonly path: string;
}

const WILDCARD = /^([a-z][a-z0-9+.-]*:\/\/)\*\./i;

/** Parses an entry, or says what is wrong with it. */
export function parseEndpointPrefix(
  entry: string,
): { ok: true; prefix: EndpointPrefix } | { ok: false; reason: string } {
  const wildcard = WILDCARD.test(entry);
  // A placeholder label lets URL parse the wildcard host; it is dropped again below.
  const text = wildcard ? entry.replace(WILDCARD, '$1wildcard.') : entry;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'must be an http(s) URL prefix' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, reason: 'must be an http(s) URL prefix' };
  if (url.username || url.password || url.search || url.hash || text.includes('?') || text.includes('#'))
    return { ok: false, reason: 'must have no credentials, query or fragment' };
  if (url.hostname.includes('*') || entry.indexOf('*', wildcard ? entry.indexOf('*') + 1 : 0) !== -1)
    return {
      ok: false,
      reason: 'may use * only as the whole first label of the host (https://*.example.com/)',
    };
  const host = wildcard ? url.hostname.slice('wildcard.'.length) : url.hostname;
  if (wildcard && !host.includes('.'))
    return { ok: false, reason: 'a wildcard needs at least two labels after *.' };
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return { ok: true, prefix: { protocol: url.protocol, host, wildcard, port: url.port, path } };
}

/**
 * Whether `endpoint` is under one of the prefixes. The scheme, host and port must match exactly
 * (`fcm.googleapis.com.evil` is another host), and the path must continue at a `/` boundary.
 */
export function isAllowedEndpoint(endpoint: string, prefixes: readonly EndpointPrefix[]): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.username || url.password || url.hash) return false;
  return prefixes.some((prefix) => matches(url, prefix));
}

function matches(url: URL, prefix: EndpointPrefix): boolean {
  if (url.protocol !== prefix.protocol || url.port !== prefix.port) return false;
  const host = url.hostname.toLowerCase();
  const hostOk = prefix.wildcard
    ? host.endsWith(`.${prefix.host}`) && host.length > prefix.host.length + 1
    : host === prefix.host;
  if (!hostOk) return false;
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return path.startsWith(prefix.path);
}
