import { describe, expect, it } from 'vitest';
import type { SessionRow } from '../../core/session-admin.ts';
import { sessionRows } from './listings.ts';

const at = Date.UTC(2026, 3, 1, 9, 30);
const listing = (id: string, browser: string, current: boolean): SessionRow => ({
  id,
  ip: '192.0.2.7',
  userAgent: `${browser} (full user agent)`,
  browser,
  proven: ['password', 'SMSOTP'],
  createdAt: at,
  authenticatedAt: at,
  lastSeen: at + 60_000,
  current,
});

describe('self-service listings', () => {
  it('puts this session first, then the others in the order listed, with times as the page writes them', () => {
    const rows = sessionRows(
      [
        listing('older', 'Firefox on Linux', false),
        listing('mine', 'Chrome on Windows', true),
        listing('oldest', 'Safari on iPhone', false),
      ],
      (ms) => `at ${ms}`,
    );
    expect(rows.map((r) => [r.id, r.isCurrent, r.browser, r.methods])).toEqual([
      ['mine', true, 'Chrome on Windows', 'password, SMSOTP'],
      ['older', false, 'Firefox on Linux', 'password, SMSOTP'],
      ['oldest', false, 'Safari on iPhone', 'password, SMSOTP'],
    ]);
    expect(rows[0]?.ip).toBe('192.0.2.7');
    expect(rows[0]).toMatchObject({ loggedIn: `at ${at}`, lastSeen: `at ${at + 60_000}` });
  });
});
