/**
 * PASSKEY (alias WEBAUTHN): phishing-resistant login with a passkey (WebAuthn Level 2/3), on
 * @simplewebauthn/server. Passwordless: the login page asks the browser for any passkey of this
 * site (a discoverable credential), so no ID is typed; a session that has a password is asked for
 * the user's own passkey only (step-up). User verification is required, the RP ID is the host of
 * `publicUrl` and the expected origin its origin; challenges are single use and short-lived in the
 * shared store; signature counters must grow. Passkeys are added from `/_sekisho/me`.
 *
 * Answer field the pages post: `response` (the browser's credential as JSON), and on enrolment
 * `name`.
 */
import { isIP } from 'node:net';
import type { AuthMethod, AuthPlugin, PluginContext } from '../../src/plugin-api.ts';
import { relyingParty } from './ceremonies.ts';
import { passkeyConfigSchema, type PasskeyConfig } from './config.ts';
import { passkeyCredentials } from './credentials.ts';
import { messages } from './messages.ts';
import { optionsRoute, passkeyDiscovery, startPasskey, verifyPasskey } from './method.ts';

async function createPasskeyMethod(ctx: PluginContext<PasskeyConfig>): Promise<AuthMethod> {
  const { rpId } = relyingParty(ctx);
  // Browsers refuse WebAuthn on an IP address: say so once, rather than let every user find out.
  if (isIP(rpId.replace(/^\[|\]$/g, '')) !== 0)
    ctx.log.warn(
      { rpId },
      'passkeys need a host name: publicUrl is an IP address, so no browser will make or use one',
    );
  return {
    start: (request) => startPasskey(ctx, request),
    verify: (request) => verifyPasskey(ctx, request),
    routes: [optionsRoute(ctx)],
    credentials: passkeyCredentials(ctx),
    discovery: passkeyDiscovery(ctx),
  };
}

/** The passkey (WebAuthn) authentication plugin. */
const passkeyPlugin: AuthPlugin<PasskeyConfig> = {
  name: 'PASSKEY',
  aliases: ['WEBAUTHN'],
  passwordless: true,
  configSchema: passkeyConfigSchema,
  messages,
  isEnabled: (config) => config.enabled,
  create: createPasskeyMethod,
};

export default passkeyPlugin;
