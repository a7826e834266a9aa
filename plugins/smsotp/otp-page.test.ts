import { describe, expect, it } from 'vitest';
import type { SmsOtpDeps } from './deps.ts';
import { clockTime, pageTimeZone } from './otp-page.ts';

/** Just what pageTimeZone reads: the plugin's own section and the gateway's settings. */
const deps = (own: string | undefined, gateway: string | undefined) =>
  ({ ctx: { config: { timeZone: own } }, settings: { timeZone: gateway } }) as unknown as Pick<
    SmsOtpDeps,
    'ctx' | 'settings'
  >;

describe('the OTP page’s time zone', () => {
  it('is the gateway’s timeZone unless the plugin names its own, and Asia/Tokyo when neither does', () => {
    expect(pageTimeZone(deps(undefined, 'Europe/London'))).toBe('Europe/London');
    expect(pageTimeZone(deps('UTC', 'Europe/London'))).toBe('UTC');
    expect(pageTimeZone(deps(undefined, undefined))).toBe('Asia/Tokyo');
  });

  it('writes clock times in that zone, whatever the server’s', () => {
    const noonUtc = Date.UTC(2026, 0, 1, 12, 0, 5);
    expect(clockTime(noonUtc, 'Asia/Tokyo')).toBe('21:00:05');
    expect(clockTime(noonUtc, 'UTC')).toBe('12:00:05');
  });
});
