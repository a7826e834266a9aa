/** The strings of the page shell and the login page in English: every key of shell.ja.ts. */
import type { Translation } from '../i18n/catalogue.ts';
import type { shellJa } from './shell.ja.ts';

export const shellEn: Translation<typeof shellJa> = {
  helpDeskLabel: 'Help desk',
  languageSwitch: 'Language',
  forgotPassword: 'Forgot your password?',
  loginHelp: 'If you still cannot log in, contact {helpDesk}.',
};
