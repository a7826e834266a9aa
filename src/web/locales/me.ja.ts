/** The strings of the user's own account page (/me) and its authenticators, in Japanese: `it.t.me.*`, `it.t.authn.*`. */

export const meJa = {
  title: 'アカウント設定',
  signedInAs: 'ログイン中のユーザー',
  sessionsHeading: 'ログイン中のセッション',
  sessionsLead: '心当たりのないセッションは終了してください。終了したセッションはすぐに使えなくなります。',
  thisSession: 'このセッション',
  ip: 'IPアドレス',
  loggedIn: 'ログイン',
  lastSeen: '最終利用',
  methods: '認証方式',
  endSession: '終了する',
  endOthers: 'ほかのセッションをすべて終了する',
  phoneHeading: '電話番号 (SMS)',
  phoneNone: '登録されていません',
  changePhone: '電話番号を変更する',
  sessionEnded: 'セッションを終了しました。',
  sessionsEnded: 'ほかのセッションをすべて終了しました。',
  phoneChanged: '電話番号を変更しました。',
  noSuchSession: 'そのセッションは見つかりません。すでに終了している可能性があります。',
  currentSession: 'このセッションはここでは終了できません。ログアウトしてください。',
  phoneTitle: '電話番号の変更',
  phoneLeadSms:
    '新しい電話番号と現在のパスワードを入力してください。確認のため、現在登録されている電話番号にワンタイムパスワードを送信します。',
  phoneLeadRecentProof:
    '新しい電話番号と現在のパスワードを入力してください。直前 (10分以内) に本人確認が済んでいるため、確認コードは送信しません。',
  phoneNeedsAdminNoPhone:
    '電話番号が登録されていないため、ここでは登録できません。本人確認のうえ登録しますので、ヘルプデスクにお問い合わせください。',
  phoneNeedsAdminNoSms:
    '現在、SMSによる確認ができないため、ここでは変更できません。ヘルプデスクにお問い合わせください。',
  currentPhone: '現在の電話番号',
  newPhone: '新しい電話番号',
  newPhoneHint: '例: 090-1234-5678 または +819012345678',
  phoneSubmit: '次へ',
  wrongPassword: 'パスワードが正しくないか、アカウントがロックされています。',
  invalidPhone: '電話番号の形式が正しくありません。',
  samePhone: '現在と同じ電話番号です。',
  phoneNotAllowed: 'ここでは電話番号を変更できません。ヘルプデスクにお問い合わせください。',
  phoneCodeTitle: '電話番号変更の確認',
  phoneCodeLead:
    '変更を確認するため、現在登録されている以下の電話番号へワンタイムパスワード通知メッセージを送信しました。',
  phoneStartOver: '電話番号の変更を完了できませんでした。最初からやり直してください。',
  credentialEnrolled: '認証方式を登録しました。',
  credentialRemoved: '認証方式を削除しました。',
  credentialRenamed: '認証方式の名前を変更しました。',
  noSuchCredential: 'その認証方式は見つかりません。すでに削除されている可能性があります。',
  pushEnrolTitle: 'スマートフォンの登録',
  pushEnrolLead:
    'プッシュ通知でログインするスマートフォンのカメラで、このQRコードを読み取ってください。開いたページで登録を完了すると、このアカウントの認証方式に追加されます。',
  pushEnrolQrLabel: 'スマートフォン登録用のQRコード',
  pushEnrolExpires: 'このQRコードとリンクは {time} まで、1回だけ使えます。',
  pushEnrolOpenHere: 'このページをスマートフォンで開いている場合は、ここをタップしてください',
  pushEnrolLink: '登録用リンク (スマートフォンで開いてください)',
  pushEnrolWarning:
    'このQRコードとリンクは、あなたのアカウントに端末を登録するためのものです。ほかの人に見せたり送ったりしないでください。',
  backToMe: 'アカウント設定に戻る',
  logout: 'ログアウト',
};

export const authnJa = {
  heading: '認証方式',
  lead: 'ログインに使う認証方式です。追加や削除には、直前 (10分以内) の本人確認が必要です。',
  added: '登録',
  lastUsed: '最終利用',
  never: 'なし',
  none: '登録されていません',
  add: '追加する',
  pushAdd: 'プッシュ通知用のスマートフォンを追加する',
  remove: '削除する',
  rename: '名前を変更',
  newName: '新しい名前',
  recoveryHeading: 'リカバリーコード',
  recoveryLeft: '未使用のリカバリーコード: {count} 個',
  recoveryGenerate: '新しいリカバリーコードを作成する',
  codesTitle: '新しいリカバリーコード',
  codesLead:
    '次の10個のリカバリーコードを印刷するか書き留めて、安全な場所に保管してください。このページを離れると二度と表示されません。以前のリカバリーコードは使えなくなりました。',
  done: 'アカウント設定に戻る',
  stepUpTitle: '本人確認',
  stepUp: '認証方式を変更するには、もう一度本人確認をしてください。',
  stepUpButton: '本人確認をする',
  needsActivation:
    '最初の認証方式は、ヘルプデスクが発行する登録用リンクからのみ登録できます。ヘルプデスクにお問い合わせください。',
  activationInvalid:
    'この登録用リンクは無効か、有効期限が切れているか、すでに使われています。ヘルプデスクにお問い合わせください。',
  activationTitle: '認証方式の登録',
  activationLead:
    'ヘルプデスクが発行した登録用リンクです。登録する認証方式を選んでください。このリンクは1回だけ使えます。',
};
