/**
 * Notices by SMS: the user is told on the phone their codes go to that something happened on
 * their account (a login from a new environment). Audited like a code's send, never with the
 * number.
 */
import type { UserNotice } from '../../src/plugin-api.ts';
import type { SmsOtpDeps } from './deps.ts';
import { isSendableNumber } from './sms-message.ts';

/**
 * In the language of the login's browser. No link: a notice asking the reader to click is what
 * phishing looks like.
 */
export function noticeText(notice: UserNotice, host: string): string {
  const { browser, client } = notice;
  return client.locale === 'en'
    ? `[${host}] New sign-in from ${browser} at ${client.ip}. If it was not you, tell your administrator.`
    : `[${host}] 新しい環境からログインがありました(${browser}、${client.ip})。心当たりがなければ管理者に連絡してください。`;
}

/** Sends the notice; false when the user has no number SMS can reach or no provider took it. */
export async function sendNotice(deps: SmsOtpDeps, notice: UserNotice): Promise<boolean> {
  const phone = notice.user.phone;
  if (phone === null || !isSendableNumber(phone)) return false;
  const result = await deps.sender.send({ to: phone, body: noticeText(notice, deps.host) });
  await deps.ctx.audit({
    event: 'notice',
    outcome: result.accepted ? 'success' : 'failure',
    userId: notice.user.id,
    client: notice.client,
    detail: {
      kind: notice.kind,
      provider: result.accepted?.provider ?? null,
      attempts: result.attempts.map((attempt) => attempt.provider),
    },
  });
  return result.accepted !== null;
}
