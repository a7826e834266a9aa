/**
 * The first value of a cookie, as @fastify/cookie (cookie@2) reads it: first occurrence wins,
 * quotes kept, percent-decoded only when it holds a `%`. Both proxy carriers read the session
 * cookie with this one function, so they cannot disagree on who the user is.
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq !== -1 && eq < end && header.slice(start, eq).trim() === name) {
      const value = header.slice(eq + 1, end).trim();
      if (!value.includes('%')) return value;
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
    start = end + 1;
  }
  return undefined;
}
