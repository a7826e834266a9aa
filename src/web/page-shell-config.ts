import { SekishoError } from '../domain/errors.ts';
import { readLogoFile, type LogoFile } from '../config/logo-file.ts';
import type { Config } from '../config/schema.ts';
import { languageCookieName } from './language.ts';
import type { PageShell } from './shell.ts';

/** Where the organisation's logo is served, on the gateway's own origin. */
export const LOGO_URL = '/_sekisho/static/branding/logo';

/** The page shell the config describes; the logo file is read here, once, at start-up. */
export function pageShellOf(config: Config): PageShell {
  const { branding } = config;
  const logo = branding.logo ? loadLogo(branding.logo) : null;
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

/** The config loader checked the file; one that went away since still stops start-up, named. */
function loadLogo(path: string): LogoFile {
  const logo = readLogoFile(path);
  if ('problem' in logo)
    throw new SekishoError('SEKISHO_ERR_CONFIG', `config: branding.logo: ${logo.problem}`);
  return logo;
}
