import type { FastifyRequest } from 'fastify';
import { pickLocale, type Locale } from '../http/i18n.ts';

import ja from '../../views/admin/locales/ja.json' with { type: 'json' };
import en from '../../views/admin/locales/en.json' with { type: 'json' };

/** The console's own messages, apart from the login pages' (they are many and only admins read them). */
export type AdminMessages = typeof ja;

// English must have every key Japanese has: the type check enforces it (and messages.test.ts the reverse).
const byLocale: Record<Locale, AdminMessages> = { ja, en };

export function adminMessagesFor(locale: Locale): AdminMessages {
  return byLocale[locale];
}

export function adminMessages(request: FastifyRequest): AdminMessages {
  return byLocale[pickLocale(request)];
}

/** Fills `{name}` placeholders; unknown names stay as written. */
export function fill(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{([a-z]+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}
