import { decodeUnreserved } from './normalize-path.ts';

/** A parsed `path-prefix` field. */
export interface ParsedPrefix {
  /** Lower-cased `host[:port]` for a URL prefix, null for a bare path. */
  readonly host: string | null;
  /** Normalised, lower-cased path ending in `/`, as matched. */
  readonly prefix: string;
  /** The prefix as written but normalised (letter case kept), for the canonical line. */
  readonly written: string;
}

/** Result of {@link parsePathPrefix}. */
export type PrefixResult = { ok: true; value: ParsedPrefix } | { ok: false; message: string };

const URL_PREFIX = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/;
const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const HOST = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\[[0-9a-f:.]+\\])(?::(\\d{1,5}))?$`);
// RFC 3986 pchar minus `;` (path parameters are ignored when matching, so a prefix holding
// one could never match) plus `/`.
const PATH_CHAR = /[^A-Za-z0-9\-._~!$&'()*+,=:@%/]/;

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

/**
 * Parses a rule's path-prefix: an absolute path ending in `/`, or `http(s)://host[:port]/path/`
 * to limit the rule to one host. The path must already be in normal form: dot segments,
 * `//` and escapes normalisation would refuse are errors, not silently fixed.
 */
export function parsePathPrefix(text: string): PrefixResult {
  if (text === '') return fail('empty; expected an absolute path ending in "/" or http://host/path/');
  const url = URL_PREFIX.exec(text);
  if (!url) {
    if (!text.startsWith('/')) return fail(`"${text}" must be an absolute path starting with "/"`);
    return parsePrefixPath(text, null, '');
  }
  const scheme = (url[1] ?? '').toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    return fail(`unsupported scheme "${scheme}"; use http:// or https://`);
  }
  const rest = url[2] ?? '';
  const slash = rest.indexOf('/');
  if (slash < 0) return fail(`"${text}" has no path; end it with "/"`);
  const host = checkHost(rest.slice(0, slash).toLowerCase());
  if (!host.ok) return host;
  return parsePrefixPath(rest.slice(slash), host.value, `${scheme}://${host.value}`);
}

function checkHost(host: string): { ok: true; value: string } | { ok: false; message: string } {
  const match = HOST.exec(host);
  if (!match) return fail(`invalid host "${host}"`);
  const port = match[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    return fail(`invalid port in "${host}"`);
  }
  // `intra.example:08443` is written as the request's Host is matched: `intra.example:8443`.
  return {
    ok: true,
    value: port === undefined ? host : `${host.slice(0, -port.length - 1)}:${Number(port)}`,
  };
}

function parsePrefixPath(raw: string, host: string | null, origin: string): PrefixResult {
  const encoded = encodeNonAscii(raw);
  if (encoded === null) return fail('invalid Unicode in path');
  const bad = PATH_CHAR.exec(encoded);
  if (bad?.[0] === ';') return fail(`path parameters (";") are not allowed in "${raw}"`);
  if (bad) return fail(`character ${JSON.stringify(bad[0])} is not allowed in "${raw}"`);
  if (!encoded.endsWith('/')) return fail(`"${raw}" must end with "/"`);
  const decoded = decodeUnreserved(encoded);
  if (!decoded.ok) return fail(`${decoded.reason} in "${raw}"`);
  const path = decoded.text;
  const segments = path === '/' ? [] : path.slice(1, -1).split('/');
  if (segments.includes('')) return fail(`empty segment ("//") in "${raw}"`);
  if (segments.some((s) => s === '.' || s === '..')) return fail(`dot segment ("." or "..") in "${raw}"`);
  return { ok: true, value: { host, prefix: path.toLowerCase(), written: `${origin}${path}` } };
}

/** Rule files may hold `/経理/`; requests carry it UTF-8 percent-encoded, so match that. */
function encodeNonAscii(raw: string): string | null {
  try {
    return raw.replace(/[\u0080-\uffff]+/g, (run) => encodeURIComponent(run));
  } catch {
    return null;
  }
}
