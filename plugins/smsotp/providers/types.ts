/**
 * The seam between the SMS OTP plugin and whoever delivers the text: Karaden in production, the
 * in-memory sandbox in the demo. Outcomes are values, not exceptions, so that every attempt can be
 * audited and the failover can decide what to try next.
 */

/** Why a provider did not accept a message. */
export type SendFailureReason =
  | 'invalid-number'
  | 'unauthorized'
  | 'rejected'
  | 'rate-limited'
  | 'server-error'
  | 'timeout'
  | 'bad-response'
  | 'network';

/** What a provider answered to one send. */
export type SendOutcome =
  | { readonly ok: true; readonly messageId: string }
  | {
      readonly ok: false;
      readonly reason: SendFailureReason;
      /** The HTTP status, when the provider answered at all. */
      readonly status?: number;
      /** The provider's own error code (e.g. Karaden's `validation_error`). */
      readonly code?: string;
    };

/** One message to send. */
export interface SmsMessage {
  /** The recipient in E.164 form, e.g. `+819012345678`. */
  readonly to: string;
  /** The text; providers refuse what they cannot carry. */
  readonly body: string;
}

/** Something that delivers SMS. */
export interface SmsProvider {
  /** The name used in `sms.provider` and in audit rows. */
  readonly name: string;
  /** Hands one message to the provider; never throws for provider or network trouble. */
  send(message: SmsMessage): Promise<SendOutcome>;
  /** Releases connections at shutdown. */
  close?(): Promise<void>;
}

/** Counts characters the way carriers do: code points, not UTF-16 units. */
export function characterCount(text: string): number {
  return [...text].length;
}

/** The most characters one Karaden message may carry (Karaden's limit). */
export const MAX_SMS_CHARACTERS = 660;
