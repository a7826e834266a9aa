import type { IncomingHttpHeaders } from 'node:http';
import { connectionListed, hopByHopHeaders } from './hop-by-hop.ts';

/**
 * The backend's response headers as the client gets them, in a new object: hop-by-hop headers
 * (and any the backend lists in `Connection`) dropped, redirects and cookie paths mapped back
 * under `/<name>/`. Copying the kept headers is cheaper than deleting from the parsed object,
 * which would turn it into a slow dictionary for `writeHead` to walk.
 */
export function mapResponseHeaders(
  headers: IncomingHttpHeaders,
  upstream: URL,
  basePath: string,
  name: string,
  gatewayCookies: ReadonlySet<string>,
): IncomingHttpHeaders {
  const listed = connectionListed(headers.connection);
  const mapped: IncomingHttpHeaders = {};
  for (const header in headers) {
    // A backend shares the gateway's origin: it may not widen a service worker's scope over the
    // gateway's pages (nor plant a gateway cookie, below: session fixation).
    if (hopByHopHeaders.has(header) || header === 'service-worker-allowed' || listed?.has(header)) continue;
    mapped[header] = headers[header];
  }
  const location = mapped.location;
  if (typeof location === 'string') {
    // `https://backend/x` and `/x` both mean a path on the backend; `//host/x` and other origins are left alone.
    if (startsAtBoundary(location, upstream.origin)) {
      mapped.location = mapPath(location.slice(upstream.origin.length) || '/', basePath, name);
    } else if (location.startsWith('/') && !location.startsWith('//')) {
      mapped.location = mapPath(location, basePath, name);
    }
  }
  const cookies = mapped['set-cookie'];
  if (cookies) {
    const list = Array.isArray(cookies) ? cookies : [cookies];
    mapped['set-cookie'] = list
      .filter((cookie) => !gatewayCookies.has(cookieName(cookie)))
      .map((cookie) => mapCookie(cookie, basePath, name));
  }
  return mapped;
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
