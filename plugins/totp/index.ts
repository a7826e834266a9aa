/**
 * TOTP (RFC 6238): after the password, the 6-digit code of an authenticator app. Secrets are
 * 160 bits, sealed at rest in the auth DB; a code's time step is accepted once per user on every
 * instance, with ±1 step of clock skew, and attempts are capped like an SMS code's.
 */
import type { AuthMethod, AuthPlugin, PluginContext } from '../../src/plugin-api.ts';
import { totpConfigSchema, type TotpConfig } from './config.ts';
import { totpCredentials } from './credentials.ts';
import { messages } from './messages.ts';
import { startTotp, verifyTotp } from './method.ts';

async function createTotpMethod(ctx: PluginContext<TotpConfig>): Promise<AuthMethod> {
  return {
    start: (request) => startTotp(ctx, request),
    verify: (request) => verifyTotp(ctx, request),
    credentials: totpCredentials(ctx),
  };
}

/** The TOTP authentication plugin. */
const totpPlugin: AuthPlugin<TotpConfig> = {
  name: 'TOTP',
  aliases: [],
  passwordless: false,
  configSchema: totpConfigSchema,
  messages,
  isEnabled: (config) => config.enabled,
  create: createTotpMethod,
};

export default totpPlugin;
