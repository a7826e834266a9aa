/**
 * Request-path normalisation for rule matching. The gateway matches and forwards the
 * normalised path, so the backend never sees a path whose meaning differs from the one
 * the rules were checked against. Anything that different servers could read differently
 * (encoded slashes, backslashes, `..;`, double encoding) is refused rather than guessed.
 */

/** Result of {@link normalizePath}: the normalised path, or why it was refused (answer 400). */
export type NormalizedPath = { ok: true; path: string } | { ok: false; reason: string };

/** Result of {@link decodeUnreserved}. */
export type DecodedPath = { ok: true; text: string } | { ok: false; reason: string };

const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
// Paths made only of these characters need no decoding pass (the common case): printable ASCII
// without `%`, `\\`, `#` and the characters a URL parser escapes in a path (see ESCAPED_RAW).
const PLAIN = /^[\x21\x24\x26-\x3b\x3d\x3f-\x5b\x5d-\x5f\x61-\x7a\x7c\x7e]*$/;
// Raw characters that WHATWG URL parsers (undici, reply-from, browsers) percent-encode in a path:
// written escaped in the normal form, so every carrier forwards the same bytes.
const ESCAPED_RAW: Readonly<Record<string, string>> = {
  '"': '%22',
  '<': '%3C',
  '>': '%3E',
  '`': '%60',
  '{': '%7B',
  '}': '%7D',
};
const utf8 = new TextDecoder('utf-8', { fatal: true });
// Tomcat-style path parameters; `%3B` too, since some servers decode before stripping them.
const PARAMETER = /;|%3B/;

function refuse(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/**
 * Normalises a request path (without its query string): decodes unreserved escapes once,
 * upper-cases the remaining escapes, folds repeated `/` and resolves `.`/`..` segments.
 * Letter case is preserved because the proxy forwards this path.
 */
export function normalizePath(rawPath: string): NormalizedPath {
  // A request's path is normalised for its canonical target and again where its rule is
  // located; the second time is a string comparison (the result is immutable, so it is shared).
  if (rawPath === last.raw) return last.result;
  const result = Object.freeze(normalizeUncached(rawPath));
  last = { raw: rawPath, result };
  return result;
}

let last: { readonly raw: string; readonly result: NormalizedPath } = {
  raw: '/',
  result: Object.freeze({ ok: true, path: '/' }),
};

function normalizeUncached(rawPath: string): NormalizedPath {
  if (!rawPath.startsWith('/')) return refuse('path must start with "/"');
  const decoded = decodeUnreserved(rawPath);
  if (!decoded.ok) return decoded;
  return resolveDotSegments(decoded.text);
}

/**
 * Decodes percent-escapes of unreserved characters and upper-cases the others, refusing
 * raw or encoded characters that servers disagree about. Dot segments are left alone.
 * Escaped non-ASCII must be well-formed UTF-8 whose characters stay non-ASCII under case
 * folding and compatibility normalisation: `%E2%84%AA` (the Kelvin sign) lower-cases to `k`,
 * `%EF%BC%A1` (fullwidth Ａ) normalises to `A`, so a router or backend that folds them would
 * serve a path other than the one the rules saw.
 */
export function decodeUnreserved(raw: string): DecodedPath {
  if (PLAIN.test(raw)) return { ok: true, text: raw };
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    const rawProblem = refusedRawCharacter(code);
    if (rawProblem) return refuse(rawProblem);
    if (code !== 0x25) {
      out += ESCAPED_RAW[raw.charAt(i)] ?? raw.charAt(i);
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (!HEX_PAIR.test(hex)) return refuse('malformed percent-escape');
    const byte = parseInt(hex, 16);
    if (byte >= 0x80) {
      const run = escapedUtf8(raw, i);
      if (!run.ok) return run;
      out += run.text;
      i = run.end - 1;
      continue;
    }
    const escapeProblem = refusedEscape(byte, raw.slice(i + 3, i + 5));
    if (escapeProblem) return refuse(escapeProblem);
    const char = String.fromCharCode(byte);
    out += UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
    i += 2;
  }
  return { ok: true, text: out };
}

/**
 * The run of non-ASCII escapes starting at `start`, checked as UTF-8 and written back with
 * upper-case hex; `end` is the index just after the run.
 */
function escapedUtf8(
  raw: string,
  start: number,
): { ok: true; text: string; end: number } | { ok: false; reason: string } {
  const bytes: number[] = [];
  let end = start;
  while (raw.charCodeAt(end) === 0x25 && HEX_PAIR.test(raw.slice(end + 1, end + 3))) {
    const byte = parseInt(raw.slice(end + 1, end + 3), 16);
    if (byte < 0x80) break;
    bytes.push(byte);
    end += 3;
  }
  let text: string;
  try {
    text = utf8.decode(Uint8Array.from(bytes));
  } catch {
    return refuse('percent-escapes that are not UTF-8 (overlong or truncated)');
  }
  for (const char of text) {
    if (foldsToAscii(char)) return refuse(`escaped character U+${hexCode(char)} folds to ASCII`);
  }
  return { ok: true, text: raw.slice(start, end).toUpperCase(), end };
}

/** Whether case mapping or NFKC turns a non-ASCII character into (or into something with) ASCII. */
export function foldsToAscii(char: string): boolean {
  const compatible = char.normalize('NFKC');
  return [char.toLowerCase(), char.toUpperCase(), compatible, compatible.toLowerCase()].some(hasAscii);
}

function hasAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x80) return true;
  return false;
}

function hexCode(char: string): string {
  return (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}

function refusedRawCharacter(code: number): string | null {
  if (code < 0x20 || code === 0x7f) return 'control character';
  if (code === 0x20) return 'raw space';
  if (code === 0x5c) return 'backslash';
  // The fragment never belongs to a request: one server cuts the path there, another does not.
  if (code === 0x23) return 'raw "#" in the request target';
  // Raw bytes reach us as Latin-1 while a backend may read them as UTF-8: ambiguous.
  if (code > 0x7f) return 'raw non-ASCII character (percent-encode it)';
  return null;
}

function refusedEscape(byte: number, following: string): string | null {
  if (byte === 0x2f) return 'encoded slash';
  if (byte === 0x5c) return 'encoded backslash';
  if (byte < 0x20 || byte === 0x7f) return 'encoded control character';
  if (byte === 0x25 && HEX_PAIR.test(following)) return 'double percent-encoding';
  return null;
}

// Anything resolveDotSegments would change or refuse: `//`, a `.`/`..` segment, a parameter.
const NEEDS_RESOLVING = /\/\/|\/\.|\.\.(?:\/|$)|;|%3B/i;

/** Resolves `.`/`..` and folds empty segments; keeps a trailing `/` when there was one. */
function resolveDotSegments(decoded: string): NormalizedPath {
  // The common case, on every request: already in normal form.
  if (!NEEDS_RESOLVING.test(decoded)) return { ok: true, path: decoded };
  const parts = decoded.split('/');
  const stack: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    const segment = parts[i] ?? '';
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (stack.length === 0) return refuse('".." above the root');
      stack.pop();
      continue;
    }
    if (isBareParameter(segment)) return refuse('path parameter on an empty or dot segment (e.g. "..;")');
    // `..foo`, `foo..`: some proxies and servers treat them as traversal, others as names.
    if (segment.startsWith('..') || segment.endsWith('..'))
      return refuse('segment starting or ending with ".."');
    stack.push(segment);
  }
  if (stack.length === 0) return { ok: true, path: '/' };
  const last = parts[parts.length - 1];
  const trailing = last === '' || last === '.' || last === '..';
  return { ok: true, path: `/${stack.join('/')}${trailing ? '/' : ''}` };
}

/**
 * True for `..;x`, `.;x`, `;x`: once a server strips the parameter these become `..`,
 * `.` or an empty segment, which would resolve differently from how we resolved them.
 */
function isBareParameter(segment: string): boolean {
  const cut = segment.search(PARAMETER);
  if (cut < 0) return false;
  const name = segment.slice(0, cut);
  return name === '' || name === '.' || name === '..';
}

/**
 * Removes path parameters (`;…` and `%3B…` up to the next `/`) from a normalised path:
 * the path a parameter-stripping backend such as Tomcat would serve.
 */
export function stripPathParameters(path: string): string {
  if (!PARAMETER.test(path)) return path;
  return path
    .split('/')
    .map((segment) => {
      const cut = segment.search(PARAMETER);
      return cut < 0 ? segment : segment.slice(0, cut);
    })
    .join('/');
}

/** True when the path carries a path parameter (`;` or `%3B`). */
export function hasPathParameter(path: string): boolean {
  return PARAMETER.test(path);
}
