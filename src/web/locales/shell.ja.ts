/**
 * The strings of the page shell and the login page (header, footer, language switch, help desk,
 * the login form's hints) in Japanese; `it.t.shell.*` in templates.
 */
export const shellJa = {
  helpDeskLabel: 'お問い合わせ',
};
