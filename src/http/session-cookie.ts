import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.ts';
import type { ClientInfo } from '../core/session-service.ts';
import { cookieNames } from './gateway.ts';

/** HttpOnly, SameSite=Lax, Path=/; Secure (and `__Host-`) when the public URL is https. */
export function setSessionCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(cookieNames(config).session, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.session.secureCookie,
  });
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(cookieNames(config).session, { path: '/', secure: config.session.secureCookie });
}

export function clientOf(request: FastifyRequest): ClientInfo {
  const agent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof agent === 'string' ? agent : '' };
}
