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

  it("takes a proof's own values in place of its method's: a synced passkey is swk", () => {
    expect(authenticationMethods(['PASSKEY'], { PASSKEY: ['swk', 'user'] })).toEqual([
      'swk',
      'user',
      'PASSKEY',
    ]);
    expect(authenticationMethods(['password', 'PASSKEY'], { PASSKEY: ['hwk', 'user'] })).toEqual([
      'pwd',
      'hwk',
      'user',
      'password',
      'PASSKEY',
    ]);
  });
});
