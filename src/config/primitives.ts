/**
 * Reusable zod building blocks for the config sections: URLs restricted to given schemes, HTTP tokens,
 * bounded integers and proxy-trust addresses. Messages are written here (not left to zod) so that they
 * read well after the `config: <key.path>:` prefix and never echo the offending value.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

/** RFC 7230 `token`: the character set of header field names and (per RFC 6265) cookie names. */
const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Named address ranges understood by Fastify's `trustProxy` (proxy-addr). */
const PROXY_ADDR_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** A valid HTTP header field name. */
export const headerName = z.string().regex(TOKEN_RE, { error: 'must be a valid HTTP header name' });

/** A valid cookie name (RFC 6265 cookie-name = token). */
export const cookieName = z.string().regex(TOKEN_RE, { error: 'must be a valid cookie name' });

/** An integer in `[min, max]` with a message naming both bounds. */
export function intIn(min: number, max: number) {
  const error = `must be an integer from ${min} to ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

/** A TCP port number. */
export const port = intIn(0, 65535);

/**
 * A URL whose scheme is one of `schemes` (without the colon). The message keeps zod's "Invalid URL"
 * wording but never includes the value, which may carry a password.
 */
export function urlWithSchemes(...schemes: string[]) {
  const expected = schemes.map((s) => `${s}://`).join(' or ');
  return z.url({
    protocol: new RegExp(`^(${schemes.join('|')})$`),
    error: `Invalid URL (expected ${expected})`,
  });
}

/** An http(s) URL; a path is allowed (backends may be mounted below a prefix). */
export const httpUrl = urlWithSchemes('http', 'https');

/** True when `value` is an http(s) URL with nothing after the authority except an optional `/`. */
function isOriginOnly(value: string): boolean {
  try {
    const u = new URL(value);
    return u.pathname === '/' && u.search === '' && u.hash === '' && u.username === '' && u.password === '';
  } catch {
    // Unparseable URLs are already reported by the url check; don't add a second message.
    return true;
  }
}

/**
 * An http(s) origin such as `https://sso.example.com` (no path, query, fragment or credentials),
 * normalised to `URL.origin` so that consumers can concatenate paths without double slashes.
 */
export const originUrl = httpUrl
  .refine(isOriginOnly, { error: 'must be an origin only (scheme://host[:port]), without path or query' })
  .transform((value) => new URL(value).origin);

/** True for an IPv4/IPv6 address, an address/prefix-length CIDR or a proxy-addr range name. */
function isIpOrCidr(value: string): boolean {
  if (PROXY_ADDR_NAMES.has(value)) return true;
  const [address = '', bits, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** Fastify's `trustProxy`: never, always, a hop count, or an allow-list of proxy addresses. */
export const trustProxy = z.union(
  [
    z.boolean(),
    z.int().min(0),
    z
      .array(
        z.string().refine(isIpOrCidr, {
          error: 'must be an IP address, a CIDR range or loopback/linklocal/uniquelocal',
        }),
      )
      .min(1),
  ],
  { error: 'must be true, false, a hop count, or a list of IP addresses/CIDR ranges' },
);
