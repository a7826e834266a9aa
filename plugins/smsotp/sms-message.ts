/**
 * The SMS itself: who it can go to and what it says.
 *
 * Recipients: Karaden reaches Japanese mobile numbers only. The auth DB keeps E.164
 * (`+819012345678`); Karaden wants the 11-digit domestic form (`09012345678`).
 *
 * Text: a short sentence in the user's language (saying what the code is for when it is not a
 * login), then a blank line and the origin-bound line `@host #code` last, the format WebOTP and
 * iOS/Android autofill recognise, so the code is only offered on the gateway's own origin (a
 * phishing page on another host gets nothing).
 */
import { fill } from '../../src/plugin-api.ts';
import type { ChallengePurpose, Locale } from '../../src/plugin-api.ts';
import { smsTexts } from './messages.ts';
import { characterCount, MAX_SMS_CHARACTERS } from './providers/types.ts';

/** `+81` then a mobile prefix (70/80/90 once the trunk 0 is dropped) and eight more digits. */
const JAPANESE_MOBILE_E164 = /^\+81([789]0\d{8})$/;

/**
 * The 11-digit domestic form of a Japanese mobile number given in E.164, or null when the number is
 * not one SMS can be sent to. Spaces and hyphens typed by an administrator are tolerated.
 */
export function toDomesticMobile(e164: string): string | null {
  const match = JAPANESE_MOBILE_E164.exec(e164.replace(/[\s-]/g, ''));
  return match ? `0${match[1]}` : null;
}

/** True when an SMS can be sent to `e164`. */
export function isSendableNumber(e164: string): boolean {
  return toDomesticMobile(e164) !== null;
}

/** What goes into one SMS. */
export interface SmsTextInput {
  readonly locale: Locale;
  /** 'login' when absent. */
  readonly purpose?: ChallengePurpose;
  readonly code: string;
  readonly ttlSeconds: number;
  /** From {@link smsHost}. */
  readonly host: string;
  /** Custom templates from `plugins.SMSOTP.templates`. */
  readonly templates?: Partial<Record<Locale, string>>;
}

/** The host of the gateway's public URL, with the port only when it is not the scheme's default. */
export function smsHost(publicUrl: string): string {
  // URL.host already drops a default port (80 for http, 443 for https).
  return new URL(publicUrl).host;
}

/** The full SMS body; the origin-bound line is always the last line, whatever the template. */
export function renderSmsText(input: SmsTextInput): string {
  const texts = smsTexts[input.locale];
  const template =
    input.purpose === 'phone-change' ? texts.phoneChange : (input.templates?.[input.locale] ?? texts.login);
  // Whole minutes, rounded down so the text never promises more time than there is.
  const minutes = Math.max(1, Math.floor(input.ttlSeconds / 60));
  const text = fill(template, { code: input.code, minutes, host: input.host });
  return `${text}\n\n@${input.host} #${input.code}`;
}

/**
 * Throws at start-up when the longest possible text (8-digit code, both languages) would not fit in
 * one Karaden message, so that a too-long template is a config error rather than failed logins.
 * The phone-change text is built in and fits with any host name (a unit test holds it to that).
 */
export function assertSmsTextFits(
  host: string,
  ttlSeconds: number,
  templates?: Partial<Record<Locale, string>>,
): void {
  for (const locale of ['ja', 'en'] as const) {
    const body = renderSmsText({ locale, code: '00000000', ttlSeconds, host, templates });
    if (characterCount(body) > MAX_SMS_CHARACTERS) {
      throw new Error(
        `plugins.SMSOTP.templates.${locale}: the SMS would exceed ${MAX_SMS_CHARACTERS} characters`,
      );
    }
  }
}
