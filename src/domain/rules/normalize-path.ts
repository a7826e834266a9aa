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
// Paths made only of these characters need no decoding pass (the common case).
const PLAIN = /^[\x21-\x24\x26-\x5b\x5d-\x7e]*$/;
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
  if (!rawPath.startsWith('/')) return refuse('path must start with "/"');
  const decoded = decodeUnreserved(rawPath);
  if (!decoded.ok) return decoded;
  return resolveDotSegments(decoded.text);
}

/**
 * Decodes percent-escapes of unreserved characters and upper-cases the others, refusing
 * raw or encoded characters that servers disagree about. Dot segments are left alone.
 */
export function decodeUnreserved(raw: string): DecodedPath {
  if (PLAIN.test(raw)) return { ok: true, text: raw };
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    const rawProblem = refusedRawCharacter(code);
    if (rawProblem) return refuse(rawProblem);
    if (code !== 0x25) {
      out += raw.charAt(i);
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (!HEX_PAIR.test(hex)) return refuse('malformed percent-escape');
    const byte = parseInt(hex, 16);
    const escapeProblem = refusedEscape(byte, raw.slice(i + 3, i + 5));
    if (escapeProblem) return refuse(escapeProblem);
    const char = String.fromCharCode(byte);
    out += UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
    i += 2;
  }
  return { ok: true, text: out };
}

function refusedRawCharacter(code: number): string | null {
  if (code < 0x20 || code === 0x7f) return 'control character';
  if (code === 0x20) return 'raw space';
  if (code === 0x5c) return 'backslash';
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
const NEEDS_RESOLVING = /\/\/|\/\.\.?(?:\/|$)|;|%3B/i;

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
