import Negotiator from 'negotiator';
import type { FastifyRequest } from 'fastify';

import ja from '../../views/locales/ja.json' with { type: 'json' };
import en from '../../views/locales/en.json' with { type: 'json' };

export type Messages = typeof ja;
export type Locale = 'ja' | 'en';

// English must have every key Japanese has: the type check enforces it.
const messagesByLocale: Record<Locale, Messages> = { ja, en };
const supported: Locale[] = ['ja', 'en'];

/** Japanese unless the browser prefers English (CONTRACT §5). */
export function pickLocale(request: FastifyRequest): Locale {
  const header = request.headers['accept-language'];
  if (!header) return 'ja';
  const best = new Negotiator({ headers: { 'accept-language': header } }).language(supported);
  return best === 'en' ? 'en' : 'ja';
}

export function messagesFor(locale: Locale): Messages {
  return messagesByLocale[locale];
}
