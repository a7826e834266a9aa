import { projectRoot } from '../project-root.ts';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fill } from './i18n/catalogue.ts';
import { messagesFor, pickLocale, type Messages } from './i18n.ts';
import { languageLinks, rememberLanguage } from './language.ts';
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
  // `shell`: the organisation's name, logo, help-desk line, clock and language switch (web/shell.ts).
  const shell = localShell(shellOf(request.server), locale, languageLinks(request, locale));
  rememberLanguage(request, reply);
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

export { safeReturnPath } from './safe-path.ts';
