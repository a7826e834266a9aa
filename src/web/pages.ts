import { projectRoot } from '../project-root.ts';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fill } from './i18n/catalogue.ts';
import { messagesFor, pickLocale, type Messages } from './i18n.ts';
import { localShell, shellOf } from './shell.ts';

// Eta's root is the project root so that plugins can keep their templates in plugins/<name>/views/.
const eta = new Eta({
  views: projectRoot,
  autoEscape: true,
  cache: true,
});

/** Renders a page in the request's language: a core view name (`login`) or a path from the project root. */
export function sendPage(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  view: string,
  title: (t: Messages) => string,
  vars: Record<string, unknown> = {},
): FastifyReply {
  const locale = pickLocale(request);
  const t = messagesFor(locale);
  const template = view.includes('/') ? view : `views/${view}`;
  // `fill` is the catalogues' placeholder filler, for the templates' `{name}` strings.
  // `shell`: the organisation's name, logo, help-desk line and clock (web/shell.ts).
  const shell = localShell(shellOf(request.server), locale);
  const html = eta.render(template, { ...vars, locale, t, fill, shell, title: title(t) });
  // Security headers on the gateway's own pages only; helmet sets them synchronously.
  void reply.helmet?.();
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}

export interface MessagePage {
  readonly status: number;
  readonly message: (t: Messages) => string;
  readonly detail?: (t: Messages) => string;
  readonly tone?: 'error' | 'info';
  readonly link?: { href: string; label: (t: Messages) => string };
  readonly title?: (t: Messages) => string;
}

/** A calm page with one message and a way forward. */
export function sendMessage(request: FastifyRequest, reply: FastifyReply, page: MessagePage): FastifyReply {
  const t = messagesFor(pickLocale(request));
  return sendPage(request, reply, page.status, 'message', page.title ?? ((m) => m.errorTitle), {
    tone: page.tone ?? 'error',
    message: page.message(t),
    detail: page.detail?.(t),
    link: page.link ? { href: page.link.href, label: page.link.label(t) } : null,
    requestId: page.tone === 'info' ? null : request.id,
  });
}

/** True when the client is a browser that wants a page rather than JSON. */
export function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

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
