import type { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_COOKIES, type Config } from '../config/schema.ts';
import type { LoginClient } from '../core/known-environments.ts';
import type { Locale } from './i18n/catalogue.ts';
import { pickLocale } from './i18n.ts';
import { languageCookieName } from './language.ts';

/** HttpOnly, SameSite=Lax, Path=/; Secure (and `__Host-`) when the public URL is https. */
function cookieOptions(config: Config) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: config.session.secureCookie };
}

export function setSessionCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(cookieNames(config).session, token, cookieOptions(config));
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(cookieNames(config).session, cookieOptions(config));
}

/** The passwordless flow's cookie: like the session's, but gone after `maxAgeSeconds`. */
export function setFlowCookie(
  reply: FastifyReply,
  config: Config,
  token: string,
  maxAgeSeconds: number,
): void {
  reply.setCookie(cookieNames(config).flow, token, { ...cookieOptions(config), maxAge: maxAgeSeconds });
}

export function clearFlowCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(cookieNames(config).flow, cookieOptions(config));
}

/** The client of a request to the gateway's own pages: its address, browser and page language. */
export function clientOf(request: FastifyRequest): LoginClient & { readonly locale: Locale } {
  const agent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof agent === 'string' ? agent : '', locale: pickLocale(request) };
}

/** The gateway's cookie names. */
export interface CookieNames {
  /** The session token's. */
  readonly session: string;
  /** The CSRF secret's. */
  readonly csrf: string;
  /** Binds a passwordless login in progress (ID typed, push pending) to this browser. */
  readonly flow: string;
  /** The page language the user chose (web/language.ts). */
  readonly lang: string;
  /** The rest of the way picked at the chooser (Path=/_sekisho/, so `__Secure-`, not `__Host-`). */
  readonly way: string;
}

/** Cookie names follow `publicUrl`: over https they carry the `__Host-` prefix (`__Secure-` for `way`). */
export function cookieNames(config: Config): CookieNames {
  const secure = config.session.secureCookie;
  const prefix = secure ? '__Host-' : '';
  return {
    session: `${prefix}${config.session.cookieName}`,
    csrf: `${prefix}${GATEWAY_COOKIES.csrf}`,
    flow: `${prefix}${GATEWAY_COOKIES.flow}`,
    lang: languageCookieName(secure),
    // `__Host-` asks for Path=/; this one is for the gateway's own pages only.
    way: `${secure ? '__Secure-' : ''}${GATEWAY_COOKIES.way}`,
  };
}
