import type { IncomingHttpHeaders } from 'node:http';
import { normalizePath } from '../domain/rules/normalize-path.ts';

/**
 * A request target in the one form the gateway decides, routes and forwards: the path
 * normalised (see normalize-path.ts), its first segment in the case the gateway serves it
 * (`/BK01/x` → `/bk01/x`), and the query string as sent but for the characters a URL parser
 * would escape, escaped already. Both proxy carriers and the router take this string, so the
 * path a rule was decided on is the path that is routed and the path the backend receives.
 */
export type CanonicalTarget =
  | { readonly ok: true; readonly path: string; readonly query: string }
  | { readonly ok: false; readonly reason: string };

// Characters WHATWG URL parsers escape in a query (the special-scheme set), as undici's
// carrier would send them.
const QUERY_ESCAPES: Readonly<Record<string, string>> = { '"': '%22', "'": '%27', '<': '%3C', '>': '%3E' };
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const QUERY_NEEDS_WORK = /["'<>#\u0000-\u0020\u007f-\uffff]/;

/**
 * The canonical form of `url` (path and query), or why it has none (answer 400). `routed` holds
 * the first path segments the gateway routes (`_sekisho` and the backend names), lower case.
 */
export function canonicalTarget(url: string, routed: ReadonlySet<string>): CanonicalTarget {
  const mark = url.indexOf('?');
  const normalised = normalizePath(mark === -1 ? url : url.slice(0, mark));
  if (!normalised.ok) return normalised;
  const query = mark === -1 ? '' : canonicalQuery(url.slice(mark));
  if (query === null) return { ok: false, reason: 'raw "#", space or non-ASCII character in the query' };
  return { ok: true, path: routedCase(normalised.path, routed), query };
}

function canonicalQuery(query: string): string | null {
  if (!QUERY_NEEDS_WORK.test(query)) return query;
  let out = '';
  for (const char of query) {
    const code = char.charCodeAt(0);
    if (char === '#' || code <= 0x20 || code >= 0x7f) return null;
    out += QUERY_ESCAPES[char] ?? char;
  }
  return out;
}

/**
 * `/BK01/x` → `/bk01/x` when `bk01` is routed: rules match letter case-insensitively in ASCII,
 * so this changes no decision, while routing stays case-sensitive (a router that folds case
 * folds Unicode too, and `/_se\u212Aisho/` would become `/_sekisho/`).
 */
function routedCase(path: string, routed: ReadonlySet<string>): string {
  const end = path.indexOf('/', 1);
  const segment = end === -1 ? path.slice(1) : path.slice(1, end);
  if (routed.has(segment)) return path;
  const lower = segment.toLowerCase();
  if (lower === segment || !routed.has(lower)) return path;
  return `/${lower}${end === -1 ? '' : path.slice(end)}`;
}

/** The first segments the gateway routes: its own pages and each backend. */
export function routedSegments(backendNames: Iterable<string>): ReadonlySet<string> {
  return new Set(['_sekisho', ...backendNames]);
}

/** Whether a request carries a body (a length above zero, or any transfer coding). */
export function hasBody(request: { readonly headers: IncomingHttpHeaders }): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * GET and HEAD with a body are refused (400) on every path: one carrier would forward the body
 * and the other drop it, and a backend that does not expect one may read it as the next request.
 */
export function isBodyRefused(request: {
  readonly method?: string;
  readonly headers: IncomingHttpHeaders;
}): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && hasBody(request);
}
