import { maskPhone } from '../../plugin-api.ts';
import type { UserRecord } from '../../ports/users.ts';
import { fill } from '../../web/i18n/catalogue.ts';
import type { AdminMessages } from './messages.ts';

/** A user as a row of the list. */
export interface UserRow {
  readonly id: string;
  readonly name: string;
  readonly groups: string;
  readonly phone: string;
  readonly status: string;
  readonly flagged: boolean;
}

export const USERS_PAGE = 50;

/** "locked", "locked out until …" or "active". */
export function userStatus(
  user: UserRecord,
  now: number,
  a: AdminMessages,
  when: (ms: number) => string,
): { text: string; flagged: boolean } {
  if (user.locked) return { text: a.users.locked, flagged: true };
  if (user.lockoutUntil !== null && user.lockoutUntil > now)
    return { text: fill(a.users.lockedOut, { until: when(user.lockoutUntil) }), flagged: true };
  return { text: a.users.active, flagged: false };
}

export function userRow(
  user: UserRecord,
  now: number,
  a: AdminMessages,
  when: (ms: number) => string,
): UserRow {
  const status = userStatus(user, now, a, when);
  return {
    id: user.id,
    name: user.displayName,
    groups: user.groups.join(', '),
    // The list is for finding people; the full number is on the user's own page, for editing.
    phone: user.phone ? maskPhone(user.phone) : '',
    status: status.text,
    flagged: status.flagged,
  };
}
