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
  revision: 0,
});
const sms = {} as AuthMethod;
const service = (withSms: boolean) =>
  new PhoneChange({ sms: withSms ? sms : null, pendingTtlMs: 300_000 } as unknown as PhoneChangeDeps);

const allowed = { kind: 'allowed' } as const;
const stepUp = { kind: 'step-up' } as const;
const needsActivation = { kind: 'needs-activation' } as const;

describe('PhoneChange.mode: how a user may change their number', () => {
  it.each([
    ['+819012345678', stepUp, true, 'sms-confirmation'],
    ['+819012345678', allowed, true, 'recent-proof'],
    ['+819012345678', allowed, false, 'recent-proof'],
    ['+819012345678', stepUp, false, 'step-up'],
    ['+819012345678', needsActivation, false, 'needs-admin-no-sms'],
    [null, needsActivation, true, 'needs-admin-no-phone'],
    [null, stepUp, true, 'step-up'],
    [null, allowed, true, 'recent-proof'],
    [null, allowed, false, 'recent-proof'],
  ] as const)('phone %s, right %j, SMS %s → %s', (phone, right, withSms, expected) => {
    expect(service(withSms).mode(account(phone), right)).toBe(expected);
  });
});
