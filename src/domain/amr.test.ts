import { describe, expect, it } from 'vitest';
import { authenticationMethods } from './amr.ts';

describe('amr', () => {
  it.each([
    [['password'], ['pwd', 'password']],
    [
      ['password', 'SMSOTP'],
      ['pwd', 'sms', 'otp', 'password', 'SMSOTP'],
    ],
    [
      ['password', 'TOTP'],
      ['pwd', 'otp', 'password', 'TOTP'],
    ],
    [['MAMORU'], ['swk', 'MAMORU']],
    [
      ['password', 'PASSKEY'],
      ['pwd', 'hwk', 'user', 'password', 'PASSKEY'],
    ],
    [
      ['password', 'RECOVERY'],
      ['pwd', 'password', 'RECOVERY'],
    ],
  ])('%j → %j', (proven, amr) => {
    expect(authenticationMethods(proven)).toEqual(amr);
  });
});
