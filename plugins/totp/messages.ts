/** The plugin's page strings (`it.pt.*` in its templates). */
import type { Catalogue, Translation } from '../../src/plugin-api.ts';

const ja = {
  methodName: '認証アプリ (TOTP)',
  title: '確認コード入力',
  lead: '認証アプリ (Google Authenticator、Microsoft Authenticator など) に表示されている6桁の確認コードを入力してください。',
  otpLabel: '確認コード',
  submit: '送信',
  emptyCode: '確認コードを入力してください。',
  wrongCode: '確認コードが正しくありません。あと {attemptsLeft} 回入力できます。',
  codeUsed: 'この確認コードはすでに使われています。次のコードが表示されるまでお待ちください。',
  tooManyAttempts: '入力回数の上限に達しました。しばらく時間をおいてからもう一度お試しください。',
  notEnrolled:
    '認証アプリが登録されていません。アカウント設定で登録するか、ヘルプデスクにお問い合わせください。',
  credentialName: '認証アプリ',
  enrolTitle: '認証アプリの登録',
  enrolLead:
    '認証アプリで次の QR コードを読み取ってください。読み取れない場合は、下のキーを手入力してください (種類: 時間ベース)。',
  enrolKey: 'キー',
  enrolConfirmLead: '登録を完了するため、認証アプリに表示された6桁の確認コードを入力してください。',
  enrolSubmit: '登録する',
  enrolExpired: '登録の有効期限が切れました。もう一度最初からやり直してください。',
};

const en: Translation<typeof ja> = {
  methodName: 'Authenticator app (TOTP)',
  title: 'Verification code',
  lead: 'Enter the 6-digit verification code shown in your authenticator app (Google Authenticator, Microsoft Authenticator, …).',
  otpLabel: 'Verification code',
  submit: 'Submit',
  emptyCode: 'Please enter the verification code.',
  wrongCode: 'The verification code is not correct. {attemptsLeft} attempts left.',
  codeUsed: 'This verification code has already been used. Please wait for the next one.',
  tooManyAttempts: 'Too many attempts. Please wait a while and try again.',
  notEnrolled:
    'No authenticator app is registered for you. Add one in your account settings or contact the help desk.',
  credentialName: 'Authenticator app',
  enrolTitle: 'Add an authenticator app',
  enrolLead:
    'Scan this QR code with your authenticator app. If you cannot scan it, type in the key below (type: time based).',
  enrolKey: 'Key',
  enrolConfirmLead: 'To finish, enter the 6-digit verification code your authenticator app shows.',
  enrolSubmit: 'Add',
  enrolExpired: 'The registration has expired. Please start again.',
};

/** Page strings per language. */
export const messages: Catalogue<Translation<typeof ja>> = { ja, en };
