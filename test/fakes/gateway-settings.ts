/**
 * The configuration as the gateway loads it, for plugin tests: the input goes through the config
 * loader and the core's schema (the one schema of every core section) and comes out frozen; the
 * plugin host then picks the core sections plugins may read (`ctx.gateway`).
 */
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { gatewaySettingsOf } from '../../src/core/plugin-host.ts';
import type { GatewaySettings } from '../../src/plugin-api.ts';

/**
 * The loaded config for this much of a config file (anything, as a file may hold anything); throws
 * the loader's lines when it is refused.
 */
export function loadTestConfig(input: Readonly<Record<string, unknown>> = {}): Config {
  const result = loadConfig({ env: {}, overrides: input });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

/** The core sections a plugin is handed for this much of a config file. */
export function gatewaySettings(input: Readonly<Record<string, unknown>> = {}): GatewaySettings {
  return gatewaySettingsOf(loadTestConfig(input));
}
