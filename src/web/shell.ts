import type { FastifyInstance } from 'fastify';
import type { LocalText } from '../config/branding-schema.ts';
import type { LogoFile } from '../config/logo-file.ts';
import type { Locale } from './i18n/catalogue.ts';

/**
 * What every page of the gateway's own shows around its content: the organisation's name and logo,
 * the help-desk line, and the time zone its clock times are written in. Made once from the config.
 */
export interface PageShell {
  readonly name: LocalText | null;
  /** The logo's URL on the gateway's own origin, or null for none. */
  readonly logoUrl: string | null;
  /** The logo served at `logoUrl`, read at start-up. */
  readonly logo: LogoFile | null;
  readonly helpDesk: LocalText | null;
  readonly forgotPasswordUrl: string | null;
  readonly timeZone: string;
  /** The cookie that keeps the language a user chose (web/language.ts). */
  readonly languageCookie: { readonly name: string; readonly secure: boolean };
}

/** One entry of the language switch: the same page in that language. */
export interface LanguageLink {
  readonly locale: Locale;
  /** The language's own name (日本語, English). */
  readonly label: string;
  /** The current page with only `lang` changed; a same-origin path. */
  readonly href: string;
  readonly current: boolean;
}

/** What a template sees as `it.shell`: the shell's lines in the page's language. */
export interface LocalShell {
  readonly name: string | null;
  readonly logoUrl: string | null;
  readonly helpDesk: string | null;
  readonly forgotPasswordUrl: string | null;
  readonly timeZone: string;
  /** A clock time (`14:05`) in the shell's zone. */
  readonly clock: (ms: number) => string;
  /** A date and time (`2026/12/03 14:05`) in the shell's zone, written the page's language's way. */
  readonly dateTime: (ms: number) => string;
  /** The language switch (empty where a page is not built by `sendPage`). */
  readonly languages: readonly LanguageLink[];
}

export const DEFAULT_SHELL: PageShell = {
  name: null,
  logoUrl: null,
  logo: null,
  helpDesk: null,
  forgotPasswordUrl: null,
  timeZone: 'Asia/Tokyo',
  languageCookie: { name: 'sekisho_lang', secure: false },
};

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by `buildApp`; pages built by other means get {@link DEFAULT_SHELL}. */
    pageShell?: PageShell;
  }
}

/** A `{ ja, en }` line in one language, falling back to the other. */
export function localLine(text: LocalText | null, locale: Locale): string | null {
  if (text === null) return null;
  if (typeof text === 'string') return text;
  return (locale === 'en' ? (text.en ?? text.ja) : (text.ja ?? text.en)) ?? null;
}

const clockFormats = new Map<string, Intl.DateTimeFormat>();

function format(locale: Locale, timeZone: string, withDate: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${withDate}`;
  let f = clockFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      ...(withDate ? { year: 'numeric', month: '2-digit', day: '2-digit' } : {}),
    });
    clockFormats.set(key, f);
  }
  return f;
}

export function localShell(
  shell: PageShell,
  locale: Locale,
  languages: readonly LanguageLink[] = [],
): LocalShell {
  return {
    name: localLine(shell.name, locale),
    logoUrl: shell.logoUrl,
    helpDesk: localLine(shell.helpDesk, locale),
    forgotPasswordUrl: shell.forgotPasswordUrl,
    timeZone: shell.timeZone,
    clock: (ms) => format(locale, shell.timeZone, false).format(ms),
    dateTime: (ms) => format(locale, shell.timeZone, true).format(ms),
    languages,
  };
}

/** The shell of the app a request arrived on. */
export function shellOf(app: FastifyInstance): PageShell {
  return app.pageShell ?? DEFAULT_SHELL;
}
