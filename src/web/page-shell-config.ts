import type { Config } from '../config/schema.ts';
import type { PageShell } from './shell.ts';

/** The page shell the config describes. The logo is served at this URL by the static files. */
export function pageShellOf(config: Config): PageShell {
  const { branding } = config;
  return {
    name: branding.name ?? null,
    logoUrl: branding.logo ? '/_sekisho/static/branding/logo' : null,
    helpDesk: branding.helpDesk ?? null,
    forgotPasswordUrl: branding.forgotPasswordUrl ?? null,
    timeZone: config.timeZone,
  };
}
