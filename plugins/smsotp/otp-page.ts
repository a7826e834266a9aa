/**
 * The OTP page's data: what was sent where, and how long it stays valid. Everything time-related
 * is computed here, server-side, because the page may not run scripts (CSP).
 */
import { z } from 'zod';
import type { PluginView } from '../../src/plugin-api.ts';
import type { SmsOtpDeps } from './deps.ts';

/** The template of the OTP page, relative to the project root. */
export const OTP_TEMPLATE = 'plugins/smsotp/views/otp';

const sendMetaSchema = z.object({
  sentAt: z.number(),
  expiresAt: z.number(),
  maskedPhone: z.string(),
  provider: z.string(),
  messageId: z.string(),
});

/** What the store keeps about the live code of a flow; never the code or the full number. */
export type SendMeta = z.output<typeof sendMetaSchema>;

/** Parses stored meta; null when absent or unreadable (then there is no live code to show). */
export function parseMeta(text: string | null): SendMeta | null {
  if (text === null) return null;
  try {
    const parsed = sendMetaSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Seconds until a resend is allowed (0: now). The cooldown runs from the last accepted send. */
export function resendWaitSeconds(deps: SmsOtpDeps, meta: SendMeta): number {
  const readyAt = meta.sentAt + deps.settings.otp.resendCooldownSeconds * 1000;
  return Math.max(0, Math.ceil((readyAt - deps.ctx.clock.now()) / 1000));
}

/** Extras on the page: a notice (info) and, after a wrong answer, the attempts left. */
export interface OtpPageExtras {
  readonly notice?: 'resendCooldown' | 'resent';
  readonly attemptsLeft?: number;
}

/** The OTP page for the live code described by `meta`. */
export function otpView(deps: SmsOtpDeps, meta: SendMeta, extras: OtpPageExtras = {}): PluginView {
  const now = deps.ctx.clock.now();
  const secondsLeft = Math.max(0, Math.ceil((meta.expiresAt - now) / 1000));
  const resendAvailableIn = resendWaitSeconds(deps, meta);
  const zone = pageTimeZone(deps);
  return {
    template: OTP_TEMPLATE,
    data: {
      maskedPhone: meta.maskedPhone,
      expiresAt: meta.expiresAt,
      secondsLeft,
      expiresClock: clockTime(meta.expiresAt, zone),
      resendAvailableIn,
      resendClock: clockTime(now + resendAvailableIn * 1000, zone),
      codeLength: deps.settings.otp.length,
      ...(extras.notice === undefined ? {} : { notice: extras.notice }),
      ...(extras.attemptsLeft === undefined ? {} : { attemptsLeft: extras.attemptsLeft }),
    },
  };
}

/** The plugin's own `timeZone`, else the gateway's (`timeZone`, default Asia/Tokyo). */
export function pageTimeZone(deps: Pick<SmsOtpDeps, 'ctx' | 'settings'>): string {
  return deps.ctx.config.timeZone ?? deps.settings.timeZone ?? DEFAULT_TIME_ZONE;
}

/** The gateway's default zone, for a core that does not pass its own. */
const DEFAULT_TIME_ZONE = 'Asia/Tokyo';

/** `16:05:00`: a wall-clock time in `timeZone`, the same in both languages. */
export function clockTime(ms: number, timeZone: string): string {
  const format = new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZone,
  });
  return format.format(ms);
}
