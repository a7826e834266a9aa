import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.ts';
import type { ClientInfo } from '../core/session-service.ts';
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

export function clientOf(request: FastifyRequest): ClientInfo {
  const agent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof agent === 'string' ? agent : '' };
}

/** Cookie names follow `publicUrl`: over https they carry the `__Host-` prefix. */
export function cookieNames(config: Config): { session: string; csrf: string; flow: string; lang: string } {
  const prefix = config.session.secureCookie ? '__Host-' : '';
  return {
    session: `${prefix}${config.session.cookieName}`,
    csrf: `${prefix}sekisho_csrf`,
    // Binds a passwordless login in progress (ID typed, push pending) to this browser.
    flow: `${prefix}sekisho_flow`,
    // The page language the user chose (web/language.ts); the gateway's own, like the others.
    lang: languageCookieName(config.session.secureCookie),
  };
}
