/**
 * What the self-service page shows of a user's sessions: labels and times a
 * person can read (in the gateway's zone), never a token or a stored hash. Pure: the route hands in the listings and the locale.
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

/** The current session first, then the others newest first (the order SessionAdmin lists them in). */
/** `time` writes a date and time the page's way, in the gateway's zone (`it.shell.dateTime`). */
export function sessionRows(sessions: readonly SessionRow[], time: (ms: number) => string): OwnSessionRow[] {
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
