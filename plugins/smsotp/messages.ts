/**
 * The plugin's page strings (`it.pt.*` in templates). `{seconds}`, `{attemptsLeft}`, `{minutes}`
 * and `{clock}` are filled in by the OTP template; `countdown` also by steps.js, every second.
 */
import type { Catalogue, Translation } from '../../src/plugin-api.ts';

const ja = {
  methodName: 'SMS認証コード',
  title: 'ワンタイムパスワード入力',
  otpLead: '以下の電話番号へワンタイムパスワード通知メッセージを送信しました。',
  otpInstruction: 'メッセージに記載されているワンタイムパスワードを入力して送信ボタンを押してください。',
  otpLabel: 'ワンタイムパスワード',
  submit: '送信',
  resendLead: 'ワンタイムパスワードを再送する場合は、再送ボタンを押してください。',
  resendButton: '再送',
  timeLeftLabel: '有効期限',
  countdown: 'あと {minutes}分{seconds}秒',
  until: '（{clock} まで）',
  expired: '有効期限が切れました。再送してください。',
  resendFrom: '再送は {clock} 以降にできます。',
  noPhone: '電話番号が登録されていないため、SMSを送信できません。ヘルプデスクにお問い合わせください。',
  invalidNumber:
    '登録されている電話番号にはSMSを送信できません（国内の携帯電話番号のみ送信できます）。ヘルプデスクにお問い合わせください。',
  sendFailed: 'SMSを送信できませんでした。しばらくしてから再送してください。',
  sendInProgress: 'SMSを送信しています。しばらくしてからもう一度お試しください。',
  tooManySends: 'SMSの送信回数が上限に達したため、しばらくの間SMSを送信できません。',
  resendCooldown: '再送は {seconds} 秒後にできます。送信済みのワンタイムパスワードは引き続き使えます。',
  resent: 'ワンタイムパスワードを再送しました。前に届いたワンタイムパスワードは使えません。',
  emptyCode: 'ワンタイムパスワードを入力してください。',
  wrongCode: 'ワンタイムパスワードが正しくありません。あと {attemptsLeft} 回入力できます。',
  expiredOrExhausted:
    'ワンタイムパスワードの有効期限が切れたか、入力回数の上限に達しました。最初からやり直してください。',
  sandboxTitle: 'SMS サンドボックス',
  sandboxLead: '開発用のサンドボックスです。ここに表示されるメッセージは実際には送信されていません。',
  sandboxEmpty: 'まだメッセージはありません。',
  sandboxTo: '宛先',
};

const en: Translation<typeof ja> = {
  methodName: 'SMS code',
  title: 'One-Time Password Input',
  otpLead: 'A one-time password notification message was sent to the following phone number.',
  otpInstruction: 'Enter the one-time password from the message and press Submit.',
  otpLabel: 'One-time password',
  submit: 'Submit',
  resendLead: 'To have the one-time password sent again, press Resend.',
  resendButton: 'Resend',
  timeLeftLabel: 'Valid for',
  countdown: '{minutes} min {seconds} s more',
  until: '(until {clock})',
  expired: 'It has expired. Please resend.',
  resendFrom: 'You can resend from {clock}.',
  noPhone: 'No phone number is registered for you, so no SMS can be sent. Please contact the help desk.',
  invalidNumber:
    'SMS cannot be sent to the registered phone number (only Japanese mobile numbers can receive it). Please contact the help desk.',
  sendFailed: 'The SMS could not be sent. Please wait a moment and try again.',
  sendInProgress: 'The SMS is being sent. Please wait a moment and try again.',
  tooManySends: 'The limit of SMS messages has been reached, so no SMS can be sent for a while.',
  resendCooldown: 'You can resend in {seconds} seconds. The one-time password already sent still works.',
  resent: 'A new one-time password was sent. The previous one no longer works.',
  emptyCode: 'Please enter the one-time password.',
  wrongCode: 'The one-time password is not correct. {attemptsLeft} attempts left.',
  expiredOrExhausted: 'The one-time password has expired or too many attempts were made. Please start over.',
  sandboxTitle: 'SMS sandbox',
  sandboxLead: 'A development sandbox: the messages shown here were not really sent.',
  sandboxEmpty: 'No messages yet.',
  sandboxTo: 'To',
};

/** Page strings per language. */
export const messages: Catalogue<Translation<typeof ja>> = { ja, en };

/**
 * The SMS texts (not page strings), filled in by renderSmsText with `{code}`, `{minutes}` and
 * `{host}`. `login` is the default text of a login code (`plugins.SMSOTP.templates` may replace
 * it); `phoneChange` confirms a change of phone number and goes to the number being replaced. It
 * says what the code is for, so that a holder who did not ask can tell that someone (with their
 * password) is moving their SMS codes to another phone, and is told not to hand the code over.
 */
const jaSms = {
  login: '【関所】ワンタイムパスワードは {code} です。有効期限は{minutes}分です。',
  phoneChange:
    '【関所】電話番号変更の確認用ワンタイムパスワードは {code} です。有効期限は{minutes}分です。お心当たりがない場合は誰にも教えず、ヘルプデスクにご連絡ください。',
};

const enSms: Translation<typeof jaSms> = {
  login: 'Sekisho one-time password: {code}. Valid for {minutes} minutes.',
  phoneChange:
    'Sekisho one-time password to change your phone number: {code}. Valid for {minutes} minutes. If you did not ask for this, share it with no one and contact the help desk.',
};

/** SMS texts per language. */
export const smsTexts: Catalogue<Translation<typeof jaSms>> = { ja: jaSms, en: enSms };
