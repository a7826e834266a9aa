import { describe, expect, it } from 'vitest';
import { normalisePhone } from './phone-number.ts';

describe('normalisePhone', () => {
  it.each([
    ['+819012345678', '+819012345678'],
    ['09012345678', '+819012345678'],
    ['090-1234-5678', '+819012345678'],
    ['０９０－１２３４－５６７８', '+819012345678'],
    [' +81 (90) 1234 5678 ', '+819012345678'],
    ['0312345678', '+81312345678'],
    ['+81-090-1234-5678', '+819012345678'],
    ['＋８１ ９０ １２３４ ５６７８', '+819012345678'],
    ['+14155550123', '+14155550123'],
  ])('%s → %s', (input, expected) => {
    expect(normalisePhone(input)).toBe(expected);
  });

  it.each(['', 'abc', '12345', '+0123456789', '+81 90 1234 5678 999999', '090123', '+81-90-1234-5678x1'])(
    'refuses %j',
    (input) => {
      expect(normalisePhone(input)).toBeNull();
    },
  );
});
