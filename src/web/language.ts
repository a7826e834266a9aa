import type { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_COOKIES } from '../config/schema.ts';
import { LOCALES, type Locale } from './i18n/catalogue.ts';
import { safeReturnPath } from './safe-path.ts';
import { shellOf, type LanguageLink } from './shell.ts';

/**
 * The language a user picked (`?lang=ja|en` on any page of the gateway's own) is kept in a cookie
 * of its own for a year and wins over the browser's Accept-Language from then on.
 */
const LANGUAGE_COOKIE = GATEWAY_COOKIES.lang;
const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

/** Each language's name in itself, as the switch shows it. */
const LANGUAGE_NAMES: Readonly<Record<Locale, string>> = { ja: '日本語', en: 'English' };

/** Like the gateway's other cookies, it carries the `__Host-` prefix when they are Secure. */
export function languageCookieName(secure: boolean): string {
  return secure ? `__Host-${LANGUAGE_COOKIE}` : LANGUAGE_COOKIE;
}

function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The language the request asks for by `?lang=`, or null. */
export function requestedLanguage(request: FastifyRequest): Locale | null {
  const lang = (request.query as Record<string, unknown> | undefined)?.lang;
  return isLocale(lang) ? lang : null;
}

/** The language the user chose earlier (the cookie), or null. */
export function rememberedLanguage(request: FastifyRequest): Locale | null {
  const value = request.cookies?.[shellOf(request.server).languageCookie.name];
  return isLocale(value) ? value : null;
}

/** Keeps a language asked for by `?lang=` in the cookie, when it is not there already. */
export function rememberLanguage(request: FastifyRequest, reply: FastifyReply): void {
  const requested = requestedLanguage(request);
  if (requested === null || requested === rememberedLanguage(request)) return;
  const { name, secure } = shellOf(request.server).languageCookie;
  reply.setCookie(name, requested, {
    path: '/',
    sameSite: 'lax',
    httpOnly: true,
    secure,
    maxAge: ONE_YEAR_SECONDS,
  });
}

/**
 * The switch's links: this page with only `lang` changed. A form's answer (a POST) links to the
 * same path read with GET, keeping the form's `next`, so a failed login switches language and
 * still leads where it was going.
 */
export function languageLinks(request: FastifyRequest, current: Locale): LanguageLink[] {
  const here = new URL(request.url, 'http://sekisho.invalid');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    here.search = '';
    const next = (request.body as Record<string, unknown> | undefined)?.next;
    if (typeof next === 'string') here.searchParams.set('next', safeReturnPath(next));
  }
  return LOCALES.map((locale) => {
    here.searchParams.set('lang', locale);
    return {
      locale,
      label: LANGUAGE_NAMES[locale],
      href: safeReturnPath(`${here.pathname}${here.search}`),
      current: locale === current,
    };
  });
}
