import type { Config } from './config/schema.ts';
import type { MethodInfo } from './core/method-catalogue.ts';
import { enabledMethodInfos, requireConfiguredPlugins } from './core/plugin-host.ts';
import type { ConfiguredPlugin } from './core/plugin-host.ts';
import type { AuthPlugin } from './plugin-api.ts';
import smsOtpPlugin from '../plugins/smsotp/index.ts';
import mamoruPlugin from '../plugins/mamoru/index.ts';
import totpPlugin from '../plugins/totp/index.ts';
import passkeyPlugin from '../plugins/passkey/index.ts';

/**
 * Every authentication plugin Sekisho ships, registered explicitly (no autoloading: a
 * security gateway says what it runs). A rule naming a method whose plugin is not
 * enabled is refused at `rule set` and at start.
 */
export const allPlugins: readonly AuthPlugin[] = [smsOtpPlugin, mamoruPlugin, totpPlugin, passkeyPlugin];

/**
 * Every plugin with its `plugins.<NAME>` section parsed by its own schema; throws
 * `SEKISHO_ERR_CONFIG` naming each bad key.
 */
export function configuredPlugins(config: Config): ConfiguredPlugin[] {
  return requireConfiguredPlugins(allPlugins, config);
}

/** The methods this configuration offers besides the password. */
export function methodInfos(config: Config): MethodInfo[] {
  return enabledMethodInfos(configuredPlugins(config));
}
