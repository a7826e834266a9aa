import { describe, expect, it } from 'vitest';
import type { SessionListing } from '../core/session-service.ts';
import type { PushDevice } from '../push/types.ts';
import { deviceRows, sessionRows } from './listings.ts';

const at = Date.UTC(2026, 3, 1, 9, 30);
const listing = (hash: string, userAgent: string): SessionListing => ({
  hash,
  lastSeen: at + 60_000,
  data: {
    userId: 'taro',
    groups: [],
    proven: ['password', 'SMSOTP'],
    createdAt: at,
    authenticatedAt: at,
    ip: '192.0.2.7',
    userAgent,
  },
});

describe('self-service listings', () => {
  it('puts this session first and labels browsers; no token anywhere', () => {
    const rows = sessionRows(
      [
        listing('other', 'Mozilla/5.0 (iPhone) AppleWebKit/605 Mobile/15E148'),
        listing('mine', 'Mozilla/5.0 (Windows NT 10.0) Chrome/126.0 Safari/537.36'),
      ],
      'mine',
      'en',
    );
    expect(rows.map((r) => [r.hash, r.isCurrent, r.browser, r.methods])).toEqual([
      ['mine', true, 'Chrome on Windows', 'password, SMSOTP'],
      ['other', false, 'Safari on iPhone', 'password, SMSOTP'],
    ]);
    expect(rows[0]?.ip).toBe('192.0.2.7');
    expect(rows[0]?.loggedIn).toMatch(/2026/);
  });

  it('lists live devices only', () => {
    const device = (id: string, revokedAt: Date | null): PushDevice => ({
      id,
      userId: 'taro',
      name: `phone ${id}`,
      createdAt: new Date(at),
      lastSeenAt: null,
      revokedAt,
    });
    const rows = deviceRows([device('a', null), device('b', new Date(at))], 'ja');
    expect(rows.map((r) => [r.id, r.name, r.lastSeen])).toEqual([['a', 'phone a', null]]);
  });
});
