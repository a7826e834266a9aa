import Negotiator from 'negotiator';
import type { FastifyRequest } from 'fastify';
import { LOCALES } from './i18n/catalogue.ts';
import type { Catalogue, Locale, Translation } from './i18n/catalogue.ts';
import { rememberedLanguage, requestedLanguage } from './language.ts';
import { en } from './locales/en.ts';
import { ja } from './locales/ja.ts';

export type { Locale } from './i18n/catalogue.ts';

/** The strings of the gateway's own pages (`it.t.*` in templates). */
export type Messages = Translation<typeof ja>;

/** The catalogue of the gateway's own pages. */
export const coreMessages: Catalogue<Messages> = { ja, en };

/**
 * The page's language: the one asked for by `?lang=`, else the one the user chose before (its
 * cookie), else the browser's preference between the two, else Japanese.
 */
export function pickLocale(request: FastifyRequest): Locale {
  const chosen = requestedLanguage(request) ?? rememberedLanguage(request);
  if (chosen !== null) return chosen;
  const header = request.headers['accept-language'];
  if (!header) return 'ja';
  const best = new Negotiator({ headers: { 'accept-language': header } }).language([...LOCALES]);
  return best === 'en' ? 'en' : 'ja';
}

export function messagesFor(locale: Locale): Messages {
  return coreMessages[locale];
}
