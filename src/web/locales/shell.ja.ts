/**
 * The strings of the page shell and the login page (header, footer, language switch, help desk,
 * the login form's hints) in Japanese; `it.t.shell.*` in templates.
 */
export const shellJa = {
  helpDeskLabel: 'お問い合わせ',
  /** The language switch's name for screen readers. */
  languageSwitch: '表示言語',
  forgotPassword: 'パスワードをお忘れの場合',
  /** Under a failed login, before the help-desk line. */
  loginHelp: 'ログインできない場合は、{helpDesk} までお問い合わせください。',
};
