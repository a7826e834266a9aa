/**
 * The plugin's page strings (`it.pt.*` in the wait template; the core and wait.js show the
 * message keys the plugin answers with). `{minutes}` and `{seconds}` are filled in by the
 * template; `timeLeft` also by steps.js, every second.
 */
import type { Catalogue, Translation } from '../../src/plugin-api.ts';

const ja = {
  methodName: 'スマートフォンで承認',
  title: 'スマートフォンで承認',
  intro: '登録済みのスマートフォンにログインの確認通知を送信しました。',
  numberLabel: 'スマートフォンで選ぶ番号',
  numberInstruction:
    'スマートフォンの通知を開き、ログイン先を確認してから、下の番号と同じ番号を選んで承認してください。',
  approveInstruction: 'スマートフォンの通知を開き、ログイン先を確認してから承認してください。',
  waiting: 'スマートフォンでの承認をお待ちしています…',
  timeLeftLabel: '有効期限',
  timeLeft: 'あと {minutes}分{seconds}秒',
  approved: '承認されました。ログインしています…',
  notMe: '心当たりのない通知が届いた場合は、承認せずに拒否してください。',
  noScriptLead: '承認後に画面が切り替わらない場合は、次のボタンを押してください。',
  noScriptButton: 'スマートフォンで承認しました',
  resendLead: '通知が届かない場合や、期限が切れた場合は、もう一度送信できます。',
  resend: '通知をもう一度送信',
  anotherId: '別のIDでログインする',
  resent: '新しい通知を送信しました。スマートフォンでは最新の通知で承認してください。',
  denied: 'スマートフォンでログインが拒否されました。最初からやり直してください。',
  wrongNumber:
    'スマートフォンで選ばれた番号が正しくありませんでした。安全のため、この通知は無効になりました。もう一度送信してください。',
  expired: '承認の有効期限が切れました。通知をもう一度送信してください。',
  deviceRevoked:
    '通知を送ったスマートフォンの登録が解除されたため、この通知は無効になりました。最初からやり直して、登録済みのほかのスマートフォンで承認するか、ほかの方法でログインしてください。',
  busy: '承認されていないログイン通知が短い間に続いたため、安全のためこのアカウントへの通知を一時的に止めています。',
  noDevice:
    'ログインの承認に使うスマートフォンが登録されていません。ほかの方法でログインするか、ヘルプデスクにスマートフォンの登録を依頼してください。',
  unavailable: '現在、通知サービスに接続できません。しばらくしてからもう一度お試しください。',
  notYet: 'まだスマートフォンで承認されていません。承認してから、もう一度ボタンを押してください。',
  alreadyUsed: 'この承認はすでに使われています。最初からやり直してください。',
  verifyFailed: '承認を確認できませんでした。最初からやり直してください。',
};

const en: Translation<typeof ja> = {
  methodName: 'Approve on my phone',
  title: 'Approve on your phone',
  intro: 'A login request was sent to your registered phone.',
  numberLabel: 'Number to pick on your phone',
  numberInstruction:
    'Open the notification on your phone, check where you are logging in, then pick the number below and approve.',
  approveInstruction: 'Open the notification on your phone, check where you are logging in, then approve.',
  waiting: 'Waiting for your approval on the phone…',
  timeLeftLabel: 'Time left',
  timeLeft: '{minutes} min {seconds} s',
  approved: 'Approved. Logging you in…',
  notMe: 'If you did not try to log in, do not approve: deny the request.',
  noScriptLead: 'If this page does not move on after you approve, press the button below.',
  noScriptButton: 'I approved on my phone',
  resendLead: 'If no notification arrived, or the time ran out, you can send it again.',
  resend: 'Send the push again',
  anotherId: 'Use another ID',
  resent: 'A new request was sent. Please approve the latest one on your phone.',
  denied: 'The login was denied on the phone. Please start over.',
  wrongNumber:
    'The number picked on the phone was not the one shown here. For your safety this request no longer works; please send a new one.',
  expired: 'The time to approve has run out. Please send the push again.',
  deviceRevoked:
    'The phone this request was sent to has been removed, so the request no longer works. Please start over and approve on another registered phone, or log in another way.',
  busy: 'Several login requests in a short time went unapproved, so requests to this account are paused for your safety.',
  noDevice:
    'No phone is registered for approving logins. Use another way to log in, or ask the help desk to register your phone.',
  unavailable: 'The push service cannot be reached right now. Please try again shortly.',
  notYet: 'The request has not been approved on your phone yet. Approve it, then press the button again.',
  alreadyUsed: 'This approval has already been used. Please start over.',
  verifyFailed: 'The approval could not be confirmed. Please start over.',
};

/** Page strings per language. */
export const messages: Catalogue<Translation<typeof ja>> = { ja, en };

/** A message key of this plugin. */
export type MessageKey = keyof typeof ja;
