/**
 * SMSOTP (alias SMS): after the password, a one-time code sent by SMS to the phone number in the
 * auth DB, as IceWall MFA does with Karaden (空電プッシュ). Creating the method picks the providers
 * the config makes usable (in failover order) and binds `start`, `verify` and the routes to them.
 */
import type { AuthMethod, AuthPlugin, PluginContext, PluginRoute } from '../../src/plugin-api.ts';
import type { SmsOtpConfig } from './config.ts';
import { isSmsOtpEnabled, smsOtpConfigSchema, usableProviders } from './config.ts';
import type { SmsOtpDeps } from './deps.ts';
import { phoneCredentials } from './credentials.ts';
import { messages } from './messages.ts';
import { sendNotice } from './notice.ts';
import { createFailover } from './providers/failover.ts';
import { createKaradenProvider } from './providers/karaden.ts';
import { createSandboxProvider } from './providers/sandbox.ts';
import type { SandboxProvider } from './providers/sandbox.ts';
import type { SmsProvider } from './providers/types.ts';
import { callbackRoute } from './routes/callback-route.ts';
import { sandboxRoutes } from './routes/sandbox-routes.ts';
import { pageTimeZone } from './otp-page.ts';
import { assertSmsTextFits, smsHost } from './sms-message.ts';
import { startChallenge } from './start.ts';
import { verifyAnswer } from './verify.ts';

/** Slack on top of the providers' own timeouts before a stuck send lock expires. */
const LOCK_SLACK_MS = 5000;

/** Creates the SMS OTP method; throws when the config names no usable provider. */
async function createSmsOtpMethod(ctx: PluginContext<SmsOtpConfig>): Promise<AuthMethod> {
  const settings = ctx.gateway;
  const host = smsHost(settings.publicUrl);
  assertSmsTextFits(host, settings.otp.ttlSeconds, ctx.config.templates);

  const usable = usableProviders(settings.sms);
  let sandbox: SandboxProvider | null = null;
  const providers: SmsProvider[] = [];
  for (const p of usable) {
    if (p.name === 'karaden') providers.push(createKaradenProvider(p.karaden));
    else providers.push((sandbox = createSandboxProvider(ctx.clock)));
  }
  const sender = createFailover(providers);
  const timeouts = usable.reduce((sum, p) => sum + (p.name === 'karaden' ? p.karaden.timeoutMs : 0), 0);
  const deps: SmsOtpDeps = { ctx, settings, sender, host, lockTtlMs: timeouts + LOCK_SLACK_MS };

  const routes: PluginRoute[] = [callbackRoute(deps)];
  // Never just because the sandbox sends: in a failover list it gets live codes (docs/sms.md).
  if (sandbox !== null && settings.sms.sandbox.page)
    routes.push(...sandboxRoutes(sandbox, messages, pageTimeZone({ ctx, settings })));
  ctx.log.info({ providers: providers.map((p) => p.name), host }, 'sms otp ready');
  return {
    start: (request) => startChallenge(deps, request),
    verify: (request) => verifyAnswer(deps, request),
    routes,
    credentials: phoneCredentials(ctx),
    notify: (notice) => sendNotice(deps, notice),
    close: () => sender.close(),
  };
}

/** The SMS OTP authentication plugin. */
const smsOtpPlugin: AuthPlugin<SmsOtpConfig> = {
  name: 'SMSOTP',
  aliases: ['SMS'],
  passwordless: false,
  configSchema: smsOtpConfigSchema,
  messages,
  isEnabled: isSmsOtpEnabled,
  create: createSmsOtpMethod,
};

export default smsOtpPlugin;
