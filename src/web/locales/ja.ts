/**
 * The strings of the gateway's own pages (login, the MFA steps, calm error pages, the user's own
 * account page) in Japanese, the reference language. Templates read them as `it.t.*`; `{name}`
 * placeholders are filled where the string is used.
 */
import { authnJa, meJa } from './me.ja.ts';
import { shellJa } from './shell.ja.ts';

export const ja = {
  /** The page shell and the login page: shell.ja.ts. */
  shell: shellJa,
  footer: 'この画面は関所 (Sekisho) 認証ゲートウェイが表示しています。',
  me: meJa,
  recovery: {
    link: 'スマートフォンを紛失した場合 (リカバリーコードを使う)',
    title: 'リカバリーコードでログイン',
    lead: '認証に使うスマートフォンなどが手元にない場合は、ユーザーID、パスワード、お手元のリカバリーコードのうち1つを入力してください。使ったリカバリーコードは二度と使えません。',
    codeLabel: 'リカバリーコード',
    submit: 'ログイン',
    failed: 'ユーザーID、パスワードまたはリカバリーコードが正しくないか、アカウントがロックされています。',
    usedTitle: 'リカバリーコードでログインしました',
    remaining: '未使用のリカバリーコードは残り {count} 個です。',
    fewLeft:
      'リカバリーコードが残り少なくなっています。アカウント設定で新しいリカバリーコードを作成してください。',
    lostPhoneHint:
      'スマートフォンを紛失した場合は、アカウント設定で古い端末や電話番号を削除し、新しい端末を登録してください。',
    toAccount: 'アカウント設定を開く',
    continue: '続ける',
  },
  authn: authnJa,
  /** The MFA steps after the ID: the chooser, the problem pages, why a step is asked. */
  steps: {
    password: 'パスワード',
    plus: '＋',
    detailOpen: '（',
    detailClose: '）',
    notRegistered: '登録されていません',
    chooseLeadIdentified:
      'このページを開くには追加の本人確認が必要です。次のいずれかの方法を選んでください。',
    reasonStepUp: 'このページ（{path}）を開くには、追加の本人確認が必要です。',
    reasonAdmin: '管理コンソールに入るため、追加の本人確認が必要です。',
    reasonReauth: '前回の本人確認から時間が経っているため、もう一度確認します。',
    reasonReprove: '認証方式を変更するため、もう一度本人確認をしてください。',
    retryAt: '{clock} 以降にもう一度お試しいただけます（あと約{minutes}分）。',
    helpDesk: 'お困りの場合は、{helpDesk} にお問い合わせください。',
    noHelpDesk: 'お困りの場合は、システム管理者にお問い合わせください。',
    backToLogin: 'ログイン画面に戻る',
  },
  loginTitle: 'ログイン',
  loginLead: 'ユーザーIDとパスワードを入力してください。',
  username: 'ユーザーID',
  password: 'パスワード',
  loginButton: 'ログイン',
  loginFailed: 'ユーザーIDまたはパスワードが正しくないか、アカウントがロックされています。',
  tooManyAttempts: 'ログインの試行が多すぎます。しばらく待ってから再度お試しください。',
  logoutTitle: 'ログアウト',
  logoutLead: 'ログアウトすると、このセッションはすべての画面で終了します。',
  logoutButton: 'ログアウト',
  loggedOutTitle: 'ログアウトしました',
  loggedOut: 'ログアウトしました。ブラウザを閉じても構いません。',
  loginAgain: 'もう一度ログインする',
  errorTitle: 'エラー',
  forbidden: 'このページへのアクセスは許可されていません。',
  forbiddenDetail: '必要な場合はシステム管理者にお問い合わせください。',
  badRequest: 'リクエストのパスが正しくありません。',
  notFound: 'ページが見つかりません。',
  csrf: 'フォームの有効期限が切れたか、不正な送信です。もう一度お試しください。',
  unavailable: 'ただいま認証サービスを利用できません。しばらくしてから再度お試しください。',
  badGateway: 'アプリケーションサーバーに接続できません。しばらくしてから再度お試しください。',
  gatewayTimeout: 'アプリケーションサーバーから応答がありません。しばらくしてから再度お試しください。',
  internal: '問題が発生しました。しばらくしてから再度お試しください。',
  methodUnavailable: 'このページに必要な認証方式は現在利用できません。システム管理者にお問い合わせください。',
  requestId: '問い合わせ番号',
  back: '戻る',
  home: 'トップへ',
  mfaTitle: '追加認証',
  chooseTitle: '認証方法の選択',
  chooseLead: 'このページを開くには本人確認が必要です。次のいずれかの方法を選んでください。',
  passwordMethod: 'ID/パスワード',
  methodNotOffered: 'この認証方法はこのページでは利用できません。',
  startOver: '最初からやり直す',
  retry: '再試行する',
  sessionNeeded: '続けるには、もう一度ログインしてください。',
  identifyLead: 'ユーザーIDを入力してください。登録済みのスマートフォンにログイン要求を送信します。',
  identifyButton: 'スマートフォンに通知を送る',
  identifyMissing: 'ユーザーIDを入力してください。',
  otherWays: 'ほかのログイン方法',
  stepFailed: 'ログインを完了できませんでした。最初からやり直してください。',
};
