import type { Config } from '../config/schema.ts';
import { languageCookieName } from './language.ts';
import type { PageShell } from './shell.ts';

/** Where the organisation's logo is served, on the gateway's own origin. */
export const LOGO_URL = '/_sekisho/static/branding/logo';

/** The page shell the config describes (the config loader has read the logo file). */
export function pageShellOf(config: Config): PageShell {
  const { branding } = config;
  const logo = branding.logo ?? null;
  return {
    name: branding.name ?? null,
    logoUrl: logo ? LOGO_URL : null,
    logo,
    helpDesk: branding.helpDesk ?? null,
    forgotPasswordUrl: branding.forgotPasswordUrl ?? null,
    timeZone: config.timeZone,
    languageCookie: {
      name: languageCookieName(config.session.secureCookie),
      secure: config.session.secureCookie,
    },
  };
}
