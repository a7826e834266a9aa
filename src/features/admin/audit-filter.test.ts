import { describe, expect, it } from 'vitest';
import { auditQueryString, parseAuditQuery } from './audit-filter.ts';

describe('parseAuditQuery', () => {
  it('reads an empty form as no filter', () => {
    expect(parseAuditQuery({})).toEqual({
      ok: true,
      form: { user: '', event: '', from: '', to: '' },
      filter: {},
      offset: 0,
    });
  });

  it('reads times as UTC; a bare "until" date includes that day', () => {
    const query = parseAuditQuery({
      user: ' taro ',
      event: 'login',
      from: '2026-01-02',
      to: '2026-01-03',
      offset: '50',
    });
    expect(query).toMatchObject({
      ok: true,
      filter: {
        user: 'taro',
        event: 'login',
        from: new Date('2026-01-02T00:00:00Z'),
        to: new Date('2026-01-04T00:00:00Z'),
      },
      offset: 50,
    });
    const precise = parseAuditQuery({ from: '2026-01-02T09:30', to: '2026-01-02T10:00:15' });
    expect(precise).toMatchObject({
      ok: true,
      filter: { from: new Date('2026-01-02T09:30:00Z'), to: new Date('2026-01-02T10:00:15Z') },
    });
  });

  it('reads times in the configured zone, across a daylight-saving change too', () => {
    const tokyo = parseAuditQuery({ from: '2026-01-02T09:30', to: '2026-01-02' }, 'Asia/Tokyo');
    expect(tokyo).toMatchObject({
      ok: true,
      filter: { from: new Date('2026-01-02T00:30:00Z'), to: new Date('2026-01-02T15:00:00Z') },
    });
    // New York: EST (UTC−5) before 2026-03-08 02:00, EDT (UTC−4) after.
    const winter = parseAuditQuery({ from: '2026-03-07T12:00' }, 'America/New_York');
    const summer = parseAuditQuery({ from: '2026-03-09T12:00' }, 'America/New_York');
    expect(winter).toMatchObject({ filter: { from: new Date('2026-03-07T17:00:00Z') } });
    expect(summer).toMatchObject({ filter: { from: new Date('2026-03-09T16:00:00Z') } });
  });

  it.each(['yesterday', '2026-02-31', '2026-13-01', '2026-01-01T25:00', '2026-01-01T10:61'])(
    'refuses %j',
    (from) => {
      expect(parseAuditQuery({ from }).ok).toBe(false);
    },
  );

  it('ignores a negative or non-numeric offset', () => {
    expect(parseAuditQuery({ offset: '-5' })).toMatchObject({ offset: 0 });
  });

  it('writes the filter back as a query string', () => {
    expect(auditQueryString({ user: 'taro', event: '', from: '2026-01-01', to: '' }, { offset: 50 })).toBe(
      '?user=taro&from=2026-01-01&offset=50',
    );
    expect(auditQueryString({ user: '', event: '', from: '', to: '' })).toBe('');
  });
});
