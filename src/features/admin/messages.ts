import type { FastifyRequest } from 'fastify';
import { pickLocale } from '../../web/i18n.ts';
import type { Catalogue, Locale, Translation } from '../../web/i18n/catalogue.ts';
import { en } from './locales/en.ts';
import { ja } from './locales/ja.ts';

/** The console's own messages, apart from the login pages' (they are many and only admins read them). */
export type AdminMessages = Translation<typeof ja>;

/** The admin console's catalogue (`it.a.*` in its templates). */
export const adminCatalogue: Catalogue<AdminMessages> = { ja, en };

export function adminMessagesFor(locale: Locale): AdminMessages {
  return adminCatalogue[locale];
}

export function adminMessages(request: FastifyRequest): AdminMessages {
  return adminCatalogue[pickLocale(request)];
}

/** A catalogue's own string for a key (never something of Object.prototype, such as `constructor`). */
export function ownString(strings: Readonly<Record<string, string>>, key: string): string | null {
  return Object.hasOwn(strings, key) ? (strings[key] ?? null) : null;
}
