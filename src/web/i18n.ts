import Negotiator from 'negotiator';
import type { FastifyRequest } from 'fastify';
import { LOCALES } from './i18n/catalogue.ts';
import type { Catalogue, Locale, Translation } from './i18n/catalogue.ts';
import { en } from './locales/en.ts';
import { ja } from './locales/ja.ts';

export type { Locale } from './i18n/catalogue.ts';

/** The strings of the gateway's own pages (`it.t.*` in templates). */
export type Messages = Translation<typeof ja>;

/** The catalogue of the gateway's own pages. */
export const coreMessages: Catalogue<Messages> = { ja, en };

/** Japanese unless the browser prefers English. */
export function pickLocale(request: FastifyRequest): Locale {
  const header = request.headers['accept-language'];
  if (!header) return 'ja';
  const best = new Negotiator({ headers: { 'accept-language': header } }).language([...LOCALES]);
  return best === 'en' ? 'en' : 'ja';
}

export function messagesFor(locale: Locale): Messages {
  return coreMessages[locale];
}
