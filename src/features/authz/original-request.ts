import type { IncomingHttpHeaders } from 'node:http';

/** The request a proxy in front asks about: its method, scheme, host and raw target. */
export interface OriginalRequest {
  readonly method: string;
  readonly protocol: 'http' | 'https';
  /** As the client sent it (`app.example.com:8443`), lower case. */
  readonly host: string;
  /** The path and query as sent, not yet canonical. */
  readonly target: string;
}

export type OriginalOutcome =
  { readonly ok: true; readonly request: OriginalRequest } | { readonly ok: false; readonly reason: string };

/** `scheme://host` and the rest; the host has no userinfo, path, space or comma (a joined repeat). */
const absoluteUrl = /^(https?):\/\/([^/?#@\s,]+)([^\s]*)$/i;
const hostOnly = /^[^/?#@\s,]+$/;
const method = /^[A-Z]{1,16}$/;

/**
 * nginx `auth_request`: `X-Original-URL` (absolute, `$scheme://$http_host$request_uri`) and
 * `X-Original-Method`. The URL is split as text, never parsed by a URL library: the path must
 * reach the canonical target byte for byte, with its escapes and dot segments as the proxy saw them.
 */
export function fromAuthRequest(headers: IncomingHttpHeaders): OriginalOutcome {
  const url = single(headers['x-original-url']);
  const verb = single(headers['x-original-method']) ?? 'GET';
  if (url === undefined) return { ok: false, reason: 'X-Original-URL missing' };
  const parts = absoluteUrl.exec(url);
  if (!parts) return { ok: false, reason: 'X-Original-URL is not an absolute http(s) URL' };
  return original(verb, parts[1] ?? '', parts[2] ?? '', parts[3] ?? '');
}

/** Traefik ForwardAuth, Caddy `forward_auth`: `X-Forwarded-Method`, `-Proto`, `-Host`, `-Uri`. */
export function fromForwardAuth(headers: IncomingHttpHeaders): OriginalOutcome {
  const verb = single(headers['x-forwarded-method']);
  const proto = single(headers['x-forwarded-proto']);
  const host = single(headers['x-forwarded-host']);
  const uri = single(headers['x-forwarded-uri']);
  if (verb === undefined || proto === undefined || host === undefined || uri === undefined)
    return { ok: false, reason: 'X-Forwarded-Method, -Proto, -Host and -Uri are all needed' };
  if (!hostOnly.test(host)) return { ok: false, reason: 'X-Forwarded-Host is not one host' };
  if (!uri.startsWith('/') || /\s/.test(uri)) return { ok: false, reason: 'X-Forwarded-Uri is not a path' };
  return original(verb, proto, host, uri);
}

function original(verb: string, proto: string, host: string, rest: string): OriginalOutcome {
  const protocol = proto.toLowerCase();
  if (protocol !== 'http' && protocol !== 'https') return { ok: false, reason: 'scheme is not http(s)' };
  if (!method.test(verb)) return { ok: false, reason: 'method is not a token' };
  const target = rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest;
  if (!target.startsWith('/')) return { ok: false, reason: 'target is not a path' };
  return { ok: true, request: { method: verb, protocol, host: host.toLowerCase(), target } };
}

/** One header value; a repeated header (an array, or Node's joined copies) is not one. */
function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
