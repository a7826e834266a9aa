/**
 * The only redirect targets are same-origin relative paths: anything else (absolute URLs,
 * `//host`, `/\host`, raw or encoded control characters) falls back to `/`.
 */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must be refused
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return '/';
  const base = 'http://sekisho.invalid';
  let parsed: URL;
  try {
    parsed = new URL(value, base);
  } catch {
    return '/';
  }
  if (parsed.origin !== base) return '/';
  // An encoded control character (`%0d%0a…`) is a path the gate refuses anyway: never a target.
  if (/%(?:[01][0-9a-f]|7f)/i.test(parsed.pathname)) return '/';
  // Dot segments can resolve to `//host` (`/.//host`, `/a/..//host`): check the result too.
  if (parsed.pathname.startsWith('//') || parsed.pathname.startsWith('/\\')) return '/';
  return `${parsed.pathname}${parsed.search}`;
}
