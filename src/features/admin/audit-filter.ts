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
 * Reads the filter form. Times are wall-clock times in `timeZone` (the console's configured zone,
 * as the page says and as it shows the rows): `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS]` (what a
 * datetime-local field sends). A bare date as "until" includes that whole day.
 */
export function parseAuditQuery(fields: Fields | undefined, timeZone = 'UTC'): AuditQuery {
  const form = {
    user: text(fields, 'user', 128),
    event: text(fields, 'event', 64),
    from: text(fields, 'from', 32),
    to: text(fields, 'to', 32),
  };
  const from = form.from === '' ? undefined : parseInstant(form.from, false, timeZone);
  const to = form.to === '' ? undefined : parseInstant(form.to, true, timeZone);
  if (from === null || to === null) return { ok: false, form };
  const filter: AuditFilter = {
    ...(form.user === '' ? {} : { user: form.user }),
    ...(form.event === '' ? {} : { event: form.event }),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
  return { ok: true, form, filter, offset: whole(fields, 'offset', 0) };
}

function parseInstant(value: string, endOfDay: boolean, timeZone: string): Date | null {
  const m = DATE.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map((part) => (part === undefined ? undefined : Number(part)));
  if ((h ?? 0) > 23 || (mi ?? 0) > 59 || (s ?? 0) > 59) return null;
  const wall = new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0));
  // Date.UTC rolls 2026-02-31 over into March; a date that moved was not a real date.
  if (wall.getUTCMonth() !== (mo ?? 1) - 1 || wall.getUTCDate() !== d) return null;
  if (h === undefined && endOfDay) wall.setUTCDate(wall.getUTCDate() + 1);
  return new Date(instantOfWallTime(wall.getTime(), timeZone));
}

/**
 * The instant at which the clocks of `timeZone` show `wall` (a wall-clock time written as if UTC).
 * The zone's offset is read at the first guess and again at the result, which settles it across a
 * daylight-saving change.
 */
export function instantOfWallTime(wall: number, timeZone: string): number {
  const first = wall - zoneOffset(wall, timeZone);
  const second = wall - zoneOffset(first, timeZone);
  return second;
}

const partsFormats = new Map<string, Intl.DateTimeFormat>();

/** How far `timeZone`'s clocks are ahead of UTC at `instant`, in ms. */
function zoneOffset(instant: number, timeZone: string): number {
  let format = partsFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormats.set(timeZone, format);
  }
  const part = (type: string) => Number(format.formatToParts(instant).find((p) => p.type === type)?.value);
  const shown = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return shown - Math.floor(instant / 1000) * 1000;
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
