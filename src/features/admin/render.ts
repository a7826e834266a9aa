import type { FastifyReply, FastifyRequest } from 'fastify';
import { pickLocale } from '../../web/i18n.ts';
import { sendPage } from '../../web/pages.ts';
import { localShell, shellOf } from '../../web/shell.ts';
import { adminMessages, type AdminMessages } from './messages.ts';

/** The console's sections, in nav order, with where each lives. */
const NAV = [
  ['home', '/_sekisho/admin/'],
  ['rules', '/_sekisho/admin/rules'],
  ['history', '/_sekisho/admin/rules/history'],
  ['users', '/_sekisho/admin/users'],
  ['sessions', '/_sekisho/admin/sessions'],
  ['audit', '/_sekisho/admin/audit'],
  ['sms', '/_sekisho/admin/sms'],
] as const;

export type Section = (typeof NAV)[number][0];

/** A key of the "done" messages a POST redirects with (`?done=ruleSaved`). */
export type DoneKey = keyof AdminMessages['done'];

export interface AdminPage {
  readonly view: string;
  readonly section: Section;
  readonly title: (a: AdminMessages) => string;
  readonly status?: number;
  /** A refusal to show above the page (the service's message, which names the field). */
  readonly error?: string | null;
  readonly vars?: Record<string, unknown>;
}

/** Renders a console page inside the console layout, with the nav, the CSRF token and any "done" notice. */
export function sendAdminPage(request: FastifyRequest, reply: FastifyReply, page: AdminPage): FastifyReply {
  const a = adminMessages(request);
  const done = (request.query as { done?: unknown }).done;
  return sendPage(request, reply, page.status ?? 200, `views/admin/${page.view}`, () => page.title(a), {
    ...page.vars,
    a,
    nav: NAV.map(([key, href]) => ({ href, label: a.nav[key], current: key === page.section })),
    adminId: request.gatewaySession?.data.userId ?? '',
    csrf: reply.csrfToken(),
    done: typeof done === 'string' && Object.hasOwn(a.done, done) ? a.done[done as DoneKey] : null,
    error: page.error ?? null,
    when: consoleTime(request),
    zone: shellOf(request.server).timeZone,
  });
}

/**
 * How the console writes a time: in the configured zone (`timeZone`), the page's language's way
 * (`2026/12/03 14:05`); empty for none.
 */
export function consoleTime(request: FastifyRequest): (value: Date | number | null | undefined) => string {
  const shell = localShell(shellOf(request.server), pickLocale(request));
  return (value) => {
    if (value === null || value === undefined) return '';
    const ms = typeof value === 'number' ? value : value.getTime();
    return Number.isNaN(ms) ? '' : shell.dateTime(ms);
  };
}

/** POST-redirect-GET: 303 to a console page with a "done" notice. */
export function redirectDone(reply: FastifyReply, path: string, done: DoneKey): FastifyReply {
  const joiner = path.includes('?') ? '&' : '?';
  return reply.code(303).header('location', `${path}${joiner}done=${done}`).send();
}

/** The console URL of a user's page. */
export function userPath(id: string): string {
  return `/_sekisho/admin/user?id=${encodeURIComponent(id)}`;
}
