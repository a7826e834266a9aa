import { describe, expect, it } from 'vitest';
import { displayPhone } from './phone-display.ts';

describe('displayPhone', () => {
  it('writes Japanese mobile numbers the way people do, the middle hidden', () => {
    expect(displayPhone('+819012345678')).toBe('090-****-5678');
    expect(displayPhone('+818087654321')).toBe('080-****-4321');
    expect(displayPhone('+817011112222')).toBe('070-****-2222');
  });

  it('hides all but the last four digits of any other number', () => {
    expect(displayPhone('+81312345678')).toBe('+*******5678');
    expect(displayPhone('+14155550123')).toBe('+*******0123');
  });
});
