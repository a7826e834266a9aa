/**
 * The strings of the push pages (the authenticator and the enrolment page): two catalogues, the
 * pages' own (`it.pm.*` in templates) and the scripts' (sent to the page as JSON). The scripts fill
 * in `{time}`, `{seconds}`, `{number}`, `{path}`, `{browser}` and `{ip}`.
 */
import type { Catalogue, Locale, Translation } from '../../web/i18n/catalogue.ts';

const jaPage = {
  appTitle: 'Sekisho 認証アプリ',
  appLead: 'ログインの承認依頼がここに届きます。通知を有効にすると、このページを閉じていても届きます。',
  noScript: 'このページには JavaScript が必要です。',
  installHint:
    'iPhone / iPad: Safari の共有ボタンから「ホーム画面に追加」し、ホーム画面のアイコンから開いてから通知を有効にしてください（iOS 16.4 以降）。Android: 「アプリとしてインストール」またはブラウザーのメニューの「アプリをインストール」を使ってください。',
  deviceHeading: 'この端末',
  userLabel: 'ユーザー ID',
  deviceLabel: '端末 ID',
  forgetButton: 'この端末の登録をこのブラウザーから削除',
  forgetConfirm:
    '本当に削除しますか？ 削除すると、管理者から新しい登録リンクをもらうまでこのブラウザーでは承認できません。',
  forgetYes: '削除する',
  forgetNo: 'やめる',
  notificationsButton: '通知を有効にする',
  testPushButton: 'テスト通知を送る',
  installButton: 'アプリとしてインストール',
  notificationsHeading: '通知',
  requestsHeading: '承認依頼',
  enrolTitle: '認証アプリの登録',
  enrolLead:
    'スマートフォンのカメラでこの QR コードを読み取ってください。リンクが Sekisho 認証アプリを開き、端末を登録します。',
  enrolSteps1: 'スマートフォンのカメラアプリを起動し、QR コードに向けます。',
  enrolSteps2: '表示されたリンクを開きます。',
  enrolSteps3: '「この端末を登録しました」と表示されたら完了です。',
  enrolLoading: 'QR コードを準備しています…',
  qrLabel: '登録用リンクの QR コード',
  manualLink: '読み取れない場合は、このリンクをスマートフォンで開いてください',
};

const jaScript = {
  activating: 'この端末を登録しています…',
  activated: 'この端末を登録しました。ログインの承認依頼はここに届きます。',
  activationExpired:
    'この登録リンクは有効期限が切れたか、すでに使われています。管理者に新しいリンクを発行してもらってください。',
  activationRefused:
    '登録できませんでした（署名を確認できませんでした）。管理者に新しいリンクを発行してもらってください。',
  activationFailed: '登録できませんでした。通信状態を確認して、もう一度リンクを開いてください。',
  badLink: 'この登録リンクは正しくありません。リンク全体をそのまま開いてください。',
  unsupported:
    'このブラウザーでは必要な暗号機能を使えません。https のアドレスで、最新の Chrome、Safari、Edge、Firefox で開いてください。',
  notEnrolled: 'この端末はまだ登録されていません。管理者から届いた登録リンク（QR コード）を開いてください。',
  waiting: '承認依頼を待っています。',
  offline: 'サーバーに接続できません。{seconds} 秒後に再接続します。',
  unauthorized: 'この端末は受け付けられませんでした。登録が取り消されたか、端末の時計が大きくずれています。',
  retry: '再接続',
  forgotten: 'この端末の登録をこのブラウザーから削除しました。',
  requestTitle: 'ログインの承認依頼',
  unknownEnvironment: 'このログインはいつもと違う環境からです。心当たりがなければ承認しないでください。',
  fromIp: '接続元 IP',
  browser: 'ブラウザー',
  time: '日時',
  app: 'アプリ',
  expiresIn: 'あと {seconds} 秒',
  expired: '期限切れ',
  pickNumber: 'ログイン画面に表示されている数字を選んでください。',
  approveWith: '{number} を選んで承認',
  approve: '承認',
  deny: '拒否',
  report: '身に覚えがない',
  reportHint: '自分のログインでなければ「身に覚えがない」を押してください。拒否して管理者に知らせます。',
  sending: '送信しています…',
  approved: '承認しました。ログイン画面に戻ってください。',
  denied: '拒否しました。',
  reported: '拒否して、管理者に報告しました。',
  wrongNumber:
    '数字が違うため、このログインは拒否されました。ご自身のログインなら、もう一度ログインしてください。',
  noSuchRequest: 'この依頼は期限切れか、取り消されています。',
  alreadyDecided: 'この依頼はすでに回答済みです。',
  respondFailed: '送信できませんでした。もう一度お試しください。',
  notificationTitle: 'Sekisho: ログインの承認依頼',
  notificationBody: '{path} へのログイン（{browser}、{ip}）',
  pushBody:
    '{user} さんの {path} へのログイン（{browser}、{ip}）。開いて、ログイン画面の数字を選んでください。',
  pushUnknownEnvironment: '【いつもと違う環境】',
  testPushTitle: 'Sekisho: テスト通知',
  testPushBody: '通知は届いています。ログインの承認依頼もこのように届きます。',
  noticeTitle: 'Sekisho: 新しい環境からのログイン',
  noticeBody:
    '{user} さんのアカウントに新しい環境（{browser}、{ip}）からログインがありました。心当たりがなければ管理者に連絡してください。',
  pushStateGranted: '通知: 許可されています。ページを閉じていても承認依頼が届きます。',
  pushStateDenied:
    '通知: ブロックされています。ブラウザー（端末）の設定でこのサイトの通知を許可してください。',
  pushStateDefault: '通知: まだ許可されていません。「通知を有効にする」を押してください。',
  pushStateNotInstalled:
    '通知: iPhone / iPad では、まず共有ボタンから「ホーム画面に追加」し、ホーム画面のアイコンから開いてください（iOS 16.4 以降）。',
  pushStateUnsupported:
    '通知: このブラウザーはプッシュ通知に対応していません。ページを開いている間だけ承認依頼が届きます。',
  pushStateOff:
    '通知: このゲートウェイではプッシュ通知が無効です。ページを開いている間だけ承認依頼が届きます。',
  pushSubscribeFailed: '通知を登録できませんでした。もう一度お試しください。',
  pushEndpointRefused:
    'このブラウザーの通知サービスは、このゲートウェイで許可されていません。管理者に連絡してください。',
  testPushSent: 'テスト通知を送りました。',
  testPushFailed: 'テスト通知を送れませんでした（{reason}）。',
  enrolValidUntil: '{time} まで有効です。',
  enrolExpired:
    'この登録リンクは有効期限が切れたか、すでに使われています。管理者に新しいリンクを発行してもらってください。',
  enrolNoCode:
    'このページのアドレスに登録コードがありません。管理者から届いたリンクをそのまま開いてください。',
  enrolFailed: 'QR コードを表示できませんでした。しばらくしてからページを再読み込みしてください。',
  enrolReady: 'QR コードをスマートフォンで読み取ってください。',
};

/** The push pages' own strings. */
export type PushPageMessages = Translation<typeof jaPage>;
/** The strings the push pages' scripts show. */
export type PushScriptMessages = Translation<typeof jaScript>;

const enPage: PushPageMessages = {
  appTitle: 'Sekisho Authenticator',
  appLead:
    'Login approval requests arrive here. Turn on notifications and they arrive even while this page is closed.',
  noScript: 'This page needs JavaScript.',
  installHint:
    'iPhone or iPad: in Safari, use the Share button, "Add to Home Screen", open the app from its Home Screen icon, then turn on notifications (iOS 16.4 or later). Android: use "Install as an app" or "Install app" in the browser menu.',
  deviceHeading: 'This device',
  userLabel: 'User ID',
  deviceLabel: 'Device ID',
  forgetButton: 'Remove this device from this browser',
  forgetConfirm:
    'Remove it? This browser will no longer approve logins until your administrator sends a new activation link.',
  forgetYes: 'Remove',
  forgetNo: 'Cancel',
  notificationsButton: 'Turn on notifications',
  testPushButton: 'Send a test notification',
  installButton: 'Install as an app',
  notificationsHeading: 'Notifications',
  requestsHeading: 'Approval requests',
  enrolTitle: 'Set up the authenticator',
  enrolLead:
    "Scan this QR code with your phone's camera. The link opens the Sekisho authenticator and registers your phone.",
  enrolSteps1: "Open your phone's camera app and point it at the QR code.",
  enrolSteps2: 'Open the link it shows.',
  enrolSteps3: 'When it says "This device is now registered", you are done.',
  enrolLoading: 'Preparing the QR code…',
  qrLabel: 'QR code of the activation link',
  manualLink: "Can't scan it? Open this link on your phone",
};

const enScript: PushScriptMessages = {
  activating: 'Registering this device…',
  activated: 'This device is now registered. Login approval requests will arrive here.',
  activationExpired:
    'This activation link has expired or was already used. Ask your administrator for a new one.',
  activationRefused:
    'The device could not be registered (its signature was refused). Ask your administrator for a new link.',
  activationFailed: 'The device could not be registered. Check your connection and open the link again.',
  badLink: 'This activation link is not valid. Open the whole link exactly as you received it.',
  unsupported:
    'This browser cannot use the cryptography this page needs. Open it over https in a current Chrome, Safari, Edge or Firefox.',
  notEnrolled:
    'This device is not registered yet. Open the activation link (QR code) from your administrator.',
  waiting: 'Waiting for approval requests.',
  offline: 'Cannot reach the server. Reconnecting in {seconds} s.',
  unauthorized:
    "This device was not accepted: its registration was revoked, or the device's clock is far off.",
  retry: 'Reconnect',
  forgotten: 'This device was removed from this browser.',
  requestTitle: 'Login approval request',
  unknownEnvironment:
    'This login comes from a browser or network not seen before. Do not approve it unless it is you.',
  fromIp: 'From IP',
  browser: 'Browser',
  time: 'Time',
  app: 'App',
  expiresIn: '{seconds} s left',
  expired: 'Expired',
  pickNumber: 'Pick the number shown on your login screen.',
  approveWith: 'Approve with {number}',
  approve: 'Approve',
  deny: 'Deny',
  report: "This wasn't me",
  reportHint:
    'If this is not your login, press "This wasn\'t me": it denies it and tells your administrator.',
  sending: 'Sending…',
  approved: 'Approved. Go back to your login screen.',
  denied: 'Denied.',
  reported: 'Denied and reported to your administrator.',
  wrongNumber: 'Wrong number: this login was refused. If it was you, log in again.',
  noSuchRequest: 'This request has expired or was withdrawn.',
  alreadyDecided: 'This request was already answered.',
  respondFailed: 'The answer could not be sent. Please try again.',
  notificationTitle: 'Sekisho: login approval request',
  notificationBody: 'Login to {path} ({browser}, {ip})',
  pushBody: '{user} is logging in to {path} ({browser}, {ip}). Open to pick the number on the login screen.',
  pushUnknownEnvironment: '[Unfamiliar browser or network]',
  testPushTitle: 'Sekisho: test notification',
  testPushBody: 'Notifications work. Login approval requests will arrive like this.',
  noticeTitle: 'Sekisho: sign-in from a new environment',
  noticeBody:
    'Someone signed in as {user} from a new environment ({browser}, {ip}). If it was not you, tell your administrator.',
  pushStateGranted: 'Notifications: allowed. Requests arrive even while this page is closed.',
  pushStateDenied:
    "Notifications: blocked. Allow notifications for this site in your browser's (or phone's) settings.",
  pushStateDefault: 'Notifications: not allowed yet. Press "Turn on notifications".',
  pushStateNotInstalled:
    'Notifications: on iPhone or iPad, first use the Share button, "Add to Home Screen", and open it from the Home Screen icon (iOS 16.4 or later).',
  pushStateUnsupported:
    'Notifications: this browser does not support push. Requests arrive only while this page is open.',
  pushStateOff:
    'Notifications: push is turned off on this gateway. Requests arrive only while this page is open.',
  pushSubscribeFailed: 'Notifications could not be registered. Please try again.',
  pushEndpointRefused:
    "This browser's push service is not allowed by this gateway. Contact your administrator.",
  testPushSent: 'A test notification was sent.',
  testPushFailed: 'The test notification could not be sent ({reason}).',
  enrolValidUntil: 'Valid until {time}.',
  enrolExpired: 'This activation link has expired or was already used. Ask your administrator for a new one.',
  enrolNoCode:
    'This page address has no activation code. Open the link from your administrator exactly as sent.',
  enrolFailed: 'The QR code could not be shown. Reload the page in a moment.',
  enrolReady: 'Scan the QR code with your phone.',
};

/** The push pages' catalogue. */
export const pushPageCatalogue: Catalogue<PushPageMessages> = { ja: jaPage, en: enPage };
/** The push scripts' catalogue. */
export const pushScriptCatalogue: Catalogue<PushScriptMessages> = { ja: jaScript, en: enScript };

export function pushPageMessages(locale: Locale): PushPageMessages {
  return pushPageCatalogue[locale];
}

/**
 * The script strings as JSON for a `<script type="application/json">` block: `<` is escaped
 * so no string can close the element.
 */
export function pushScriptMessagesJson(locale: Locale): string {
  return JSON.stringify(pushScriptCatalogue[locale]).replace(/</g, '\\u003c');
}
