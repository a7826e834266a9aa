import type { IncomingHttpHeaders } from 'node:http';

/** Headers that describe the backend connection only (RFC 9110 §7.6.1); never relayed to the client. */
const hopByHop = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
];

/**
 * Backend redirects and cookie paths are mapped back under `/<name>/`; hop-by-hop headers
 * (and any the backend lists in `Connection`) are dropped. Mutates and returns `headers`.
 */
export function mapResponseHeaders(
  headers: IncomingHttpHeaders,
  upstream: URL,
  basePath: string,
  name: string,
  gatewayCookies: ReadonlySet<string>,
): IncomingHttpHeaders {
  // A backend shares the gateway's origin: it may not widen a service worker's scope over the
  // gateway's pages, nor plant a cookie under one of the gateway's names (session fixation).
  if (headers['service-worker-allowed'] !== undefined) delete headers['service-worker-allowed'];
  const listed = typeof headers.connection === 'string' ? headers.connection.split(',') : [];
  // `delete` only when present: deleting turns the object into a slow dictionary.
  for (const header of hopByHop) if (headers[header] !== undefined) delete headers[header];
  for (const header of listed) delete headers[header.trim().toLowerCase()];
  const location = headers.location;
  if (typeof location === 'string') {
    // `https://backend/x` and `/x` both mean a path on the backend; `//host/x` and other origins are left alone.
    if (startsAtBoundary(location, upstream.origin)) {
      headers.location = mapPath(location.slice(upstream.origin.length) || '/', basePath, name);
    } else if (location.startsWith('/') && !location.startsWith('//')) {
      headers.location = mapPath(location, basePath, name);
    }
  }
  const cookies = headers['set-cookie'];
  if (cookies) {
    const list = Array.isArray(cookies) ? cookies : [cookies];
    headers['set-cookie'] = list
      .filter((cookie) => !gatewayCookies.has(cookieName(cookie)))
      .map((cookie) => mapCookie(cookie, basePath, name));
  }
  return headers;
}

/** `value` starts with `prefix` as a whole: `/app` covers `/app/x` and `/app?q`, not `/apple`. */
function startsAtBoundary(value: string, prefix: string): boolean {
  if (!value.startsWith(prefix)) return false;
  const next = value.charAt(prefix.length);
  return next === '' || next === '/' || next === '?' || next === '#';
}

function mapPath(path: string, basePath: string, name: string): string {
  const rest = basePath && startsAtBoundary(path, basePath) ? path.slice(basePath.length) : path;
  return `/${name}${rest.startsWith('/') ? rest : `/${rest}`}`;
}

function mapCookie(cookie: string, basePath: string, name: string): string {
  const parts = cookie.split(';').filter((part) => !/^\s*domain\s*=/i.test(part));
  const pathIndex = parts.findIndex((part) => /^\s*path\s*=/i.test(part));
  const path = pathIndex === -1 ? '/' : (parts[pathIndex] ?? '').split('=')[1]?.trim() || '/';
  const mapped = ` Path=${mapPath(path, basePath, name)}`;
  if (pathIndex === -1) parts.push(mapped);
  else parts[pathIndex] = mapped;
  return parts.join(';');
}

function cookieName(cookie: string): string {
  const eq = cookie.indexOf('=');
  return (eq === -1 ? cookie : cookie.slice(0, eq)).trim();
}
