/**
 * Loads one plugin through the core's real plugin host: the config file parsed by the core's
 * schema, `plugins.<NAME>` validated, `isEnabled` asked, the namespaced store, audit and HMAC the
 * core gives every plugin. A memory store on a fake clock keeps it fast and time-controllable.
 */
import { pino } from 'pino';
import { MemoryStore } from '../../src/adapters/memory/memory-store.ts';
import { MemoryCredentialRepository } from '../../src/adapters/memory/memory-credentials.ts';
import { MemoryWebAuthnRepository } from '../../src/adapters/memory/memory-webauthn.ts';
import { sealedBox } from '../../src/adapters/crypto/sealed-box.ts';
import { configSchema } from '../../src/config/schema.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { configurePlugins, loadMethods, requireConfiguredPlugins } from '../../src/core/plugin-host.ts';
import type { PluginsConfigured } from '../../src/core/plugin-host.ts';
import type { AuthMethod, AuthPlugin } from '../../src/plugin-api.ts';
import type { AuditEvent } from '../../src/ports/audit.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { loadTestConfig } from './gateway-settings.ts';

export interface CoreLoaded {
  readonly method: AuthMethod;
  readonly clock: FakeClock;
  readonly store: MemoryStore;
  /** Audit rows as the core records them (`<NAME>.<event>`). */
  readonly audits: AuditEvent[];
  dispose(): Promise<void>;
}

/** Loads `plugin` as the core would for this config file; throws when the core would not enable it. */
export async function loadWithCore(plugin: AuthPlugin, configInput: ConfigInput): Promise<CoreLoaded> {
  const clock = new FakeClock();
  const store = new MemoryStore(clock);
  const audits: AuditEvent[] = [];
  const config = configSchema.parse(configInput);
  const methods = await loadMethods(requireConfiguredPlugins([plugin], config), {
    config,
    store,
    clock,
    log: pino({ level: 'silent' }),
    audit: { record: async (event) => void audits.push(event) },
    secret: 'core-host-test-secret-0123456789abcdef',
    ...withPasskeys(new MemoryCredentialRepository()),
    sealFor: (purpose) => sealedBox('core-host-test-secret-0123456789abcdef', purpose),
    clearPhone: async () => undefined,
  });
  const loaded = methods.get(plugin.name);
  if (!loaded) throw new Error(`the core did not enable ${plugin.name} for this config`);
  return {
    method: loaded.method,
    clock,
    store,
    audits,
    dispose: async () => {
      await loaded.method.close?.();
      await store.close();
    },
  };
}

/**
 * What the core's plugin host makes of `plugin` for this config file: its section parsed by its
 * schema and whether it is offered, or the `config: plugins.<NAME>.…` lines. Throws the loader's
 * lines when the core sections themselves are refused.
 */
export function configureWithCore(
  plugin: AuthPlugin,
  configInput: Readonly<Record<string, unknown>>,
): PluginsConfigured {
  return configurePlugins([plugin], loadTestConfig(configInput));
}

/** The credential repositories a host needs: general records and the passkeys kept beside them. */
function withPasskeys(credentials: MemoryCredentialRepository) {
  return { credentials, webauthn: new MemoryWebAuthnRepository(credentials) };
}
