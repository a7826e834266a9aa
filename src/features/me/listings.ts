/**
 * What the self-service page shows of a user's sessions: labels and times a
 * person can read, never a token or a stored hash. Pure: the route hands in the listings and the locale.
 */
import type { SessionRow } from '../../core/session-admin.ts';

export interface OwnSessionRow {
  /** The display ID (SessionAdmin's keyed digest): what the end-session form names. */
  readonly id: string;
  readonly isCurrent: boolean;
  readonly browser: string;
  readonly ip: string;
  readonly loggedIn: string;
  readonly lastSeen: string;
  readonly methods: string;
}

/** Date and time in the page's language, in the gateway's time zone (`TZ`). */
export function timeFormatter(locale: 'ja' | 'en'): (ms: number) => string {
  const format = new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  return (ms) => format.format(ms);
}

/** The current session first, then the others newest first (the order SessionAdmin lists them in). */
export function sessionRows(sessions: readonly SessionRow[], locale: 'ja' | 'en'): OwnSessionRow[] {
  const time = timeFormatter(locale);
  const rows = sessions.map((s) => ({
    id: s.id,
    isCurrent: s.current,
    browser: s.browser,
    ip: s.ip,
    loggedIn: time(s.createdAt),
    lastSeen: time(s.lastSeen),
    methods: s.proven.join(', '),
  }));
  return [...rows.filter((r) => r.isCurrent), ...rows.filter((r) => !r.isCurrent)];
}
