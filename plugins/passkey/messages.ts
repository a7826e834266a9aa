/** The plugin's page strings (`it.pt.*` in its templates; passkey.js reads the `data-*` copies). */
import type { Catalogue, Translation } from '../../src/plugin-api.ts';

const ja = {
  methodName: 'パスキー',
  title: 'パスキーでログイン',
  identifyLead: 'ID を入力せずに、このデバイスやスマートフォンに保存したパスキーでログインできます。',
  signIn: 'パスキーでログイン',
  stepUpLead: '続けるには、登録済みのパスキーで本人確認をしてください。',
  verify: 'パスキーで確認',
  orPassword: 'または ID とパスワードでログイン',
  working: 'ブラウザーの画面に従って、指紋・顔認証・PIN などで本人確認をしてください…',
  cancelled: 'パスキーの操作が取り消されたか、時間切れになりました。もう一度お試しください。',
  unsupported: 'このブラウザーはパスキーに対応していません。別の方法でログインしてください。',
  failed: 'パスキーを確認できませんでした。もう一度お試しください。',
  expired: '確認の有効期限が切れました。もう一度お試しください。',
  notEnrolled:
    'パスキーが登録されていません。アカウント設定で登録するか、ヘルプデスクにお問い合わせください。',
  credentialName: 'パスキー',
  enrolTitle: 'パスキーの登録',
  enrolLead:
    'このデバイス (または スマートフォン・セキュリティキー) にパスキーを作成します。次回から ID とパスワードなしでログインできます。',
  nameLabel: 'パスキーの名前 (例: 会社のノートPC)',
  enrolSubmit: 'パスキーを作成',
  enrolExpired: '登録の有効期限が切れました。もう一度最初からやり直してください。',
  enrolFailed: 'パスキーを登録できませんでした。もう一度お試しください。',
  alreadyRegistered: 'このパスキーはすでに登録されています。',
  modelNotAllowed: 'この認証器の機種は、組織の設定で許可されていません。ヘルプデスクにお問い合わせください。',
  synced: '同期パスキー',
  deviceBound: 'デバイス固定',
};

const en: Translation<typeof ja> = {
  methodName: 'Passkey',
  title: 'Sign in with a passkey',
  identifyLead: 'Sign in without typing your ID, with a passkey kept on this device or your phone.',
  signIn: 'Sign in with a passkey',
  stepUpLead: 'To continue, confirm it is you with one of your passkeys.',
  verify: 'Confirm with a passkey',
  orPassword: 'Or sign in with your ID and password',
  working: 'Follow your browser: confirm it is you with your fingerprint, face or PIN…',
  cancelled: 'The passkey request was cancelled or timed out. Please try again.',
  unsupported: 'This browser does not support passkeys. Please sign in another way.',
  failed: 'The passkey could not be confirmed. Please try again.',
  expired: 'The request has expired. Please try again.',
  notEnrolled: 'You have no passkey yet. Add one in your account settings or contact the help desk.',
  credentialName: 'Passkey',
  enrolTitle: 'Add a passkey',
  enrolLead:
    'Create a passkey on this device (or your phone, or a security key). Next time you can sign in without your ID and password.',
  nameLabel: 'Name of the passkey (e.g. work laptop)',
  enrolSubmit: 'Create a passkey',
  enrolExpired: 'The registration has expired. Please start again.',
  enrolFailed: 'The passkey could not be added. Please try again.',
  alreadyRegistered: 'This passkey is already registered.',
  modelNotAllowed:
    "Your organisation's settings do not allow this authenticator model. Please contact the help desk.",
  synced: 'synced',
  deviceBound: 'this device only',
};

/** Page strings per language. */
export const messages: Catalogue<Translation<typeof ja>> = { ja, en };
