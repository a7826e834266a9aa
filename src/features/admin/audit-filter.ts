import type { AuditFilter } from '../../ports/audit.ts';
import { text, whole, type Fields } from './form.ts';

/** The audit page's filter form, as typed. */
export interface AuditForm {
  readonly user: string;
  readonly event: string;
  readonly from: string;
  readonly to: string;
}

export type AuditQuery =
  | { readonly ok: true; readonly form: AuditForm; readonly filter: AuditFilter; readonly offset: number }
  | { readonly ok: false; readonly form: AuditForm };

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * Reads the filter form. Times are UTC, as the page says: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS]`
 * (what a datetime-local field sends). A bare date as "until" includes that whole day.
 */
export function parseAuditQuery(fields: Fields | undefined): AuditQuery {
  const form = {
    user: text(fields, 'user', 128),
    event: text(fields, 'event', 64),
    from: text(fields, 'from', 32),
    to: text(fields, 'to', 32),
  };
  const from = form.from === '' ? undefined : parseInstant(form.from, false);
  const to = form.to === '' ? undefined : parseInstant(form.to, true);
  if (from === null || to === null) return { ok: false, form };
  const filter: AuditFilter = {
    ...(form.user === '' ? {} : { user: form.user }),
    ...(form.event === '' ? {} : { event: form.event }),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
  return { ok: true, form, filter, offset: whole(fields, 'offset', 0) };
}

function parseInstant(value: string, endOfDay: boolean): Date | null {
  const m = DATE.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map((part) => (part === undefined ? undefined : Number(part)));
  if ((h ?? 0) > 23 || (mi ?? 0) > 59 || (s ?? 0) > 59) return null;
  const date = new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0));
  // Date.UTC rolls 2026-02-31 over into March; a date that moved was not a real date.
  if (date.getUTCMonth() !== (mo ?? 1) - 1 || date.getUTCDate() !== d) return null;
  if (h === undefined && endOfDay) date.setUTCDate(date.getUTCDate() + 1);
  return date;
}

/** The query string that reproduces a filter (for paging and the CSV link). */
export function auditQueryString(form: AuditForm, extra: Record<string, string | number> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...form, ...extra })) {
    if (value !== '') params.set(key, String(value));
  }
  const query = params.toString();
  return query === '' ? '' : `?${query}`;
}
