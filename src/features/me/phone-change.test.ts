import { describe, expect, it } from 'vitest';
import type { AuthMethod } from '../../plugin-api.ts';
import type { UserRecord } from '../../ports/users.ts';
import { PhoneChange, type PhoneChangeDeps } from './phone-change.ts';

const account = (phone: string | null): UserRecord => ({
  id: 'taro',
  displayName: 'Taro',
  passwordHash: 'x',
  phone,
  email: null,
  locked: false,
  failedCount: 0,
  lockoutUntil: null,
  groups: [],
});
const sms = {} as AuthMethod;
const service = (withSms: boolean) =>
  new PhoneChange({ sms: withSms ? sms : null, pendingTtlMs: 300_000 } as unknown as PhoneChangeDeps);

describe('PhoneChange.mode: how a user may change their number', () => {
  it.each([
    ['+819012345678', ['password'], true, 'sms-confirmation'],
    ['+819012345678', ['password', 'SMSOTP'], true, 'sms-confirmation'],
    ['+819012345678', ['MAMORU'], true, 'sms-confirmation'],
    ['+819012345678', ['password'], false, 'needs-admin-no-sms'],
    [null, ['password'], true, 'needs-admin-no-phone'],
    [null, ['MAMORU'], true, 'password-only'],
    [null, ['password', 'MAMORU'], false, 'password-only'],
  ] as const)('phone %s, proven %j, SMS %s → %s', (phone, proven, withSms, expected) => {
    expect(service(withSms).mode(account(phone), proven)).toBe(expected);
  });
});
