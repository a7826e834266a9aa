import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { SekishoError } from '../domain/errors.ts';
import type { AuditLog } from '../ports/audit.ts';
import type { Clock } from '../ports/clock.ts';
import type { ChallengeStore, KeyValueStore, RateCounter } from '../ports/store.ts';
import type { CredentialRepository } from '../ports/credentials.ts';
import type { WebAuthnCredentialRepository } from '../ports/webauthn-credentials.ts';
import type { SealedBox } from '../ports/sealed-box.ts';
import type {
  AuthMethod,
  AuthPlugin,
  GatewaySettings,
  PluginContext,
  PluginCredentialStore,
  PluginServices,
  PluginStore,
  PluginWebAuthnStore,
} from '../plugin-api.ts';
import type { MethodInfo } from './method-catalogue.ts';

/** A plugin this gateway runs, created and ready. */
export interface LoadedMethod {
  readonly plugin: AuthPlugin;
  readonly method: AuthMethod;
}

/** A plugin with its `plugins.<NAME>` section parsed, and whether this configuration offers it. */
export interface ConfiguredPlugin {
  readonly plugin: AuthPlugin;
  /** The section as the plugin's `configSchema` parsed it (`{}` when absent). */
  readonly settings: unknown;
  readonly enabled: boolean;
}

/** Outcome of {@link configurePlugins}: every plugin configured, or every problem, one line each. */
export type PluginsConfigured =
  | { readonly ok: true; readonly plugins: ConfiguredPlugin[] }
  | { readonly ok: false; readonly errors: string[] };

/** The core's sections plugins may read, taken from the validated config (nothing parsed again). */
export function gatewaySettingsOf(config: Config): GatewaySettings {
  return {
    publicUrl: config.publicUrl,
    otp: config.otp,
    sms: config.sms,
    push: config.push,
    timeZone: config.timeZone,
  };
}

/**
 * Parses every plugin's `plugins.<NAME>` section with the plugin's own schema, the one parse of
 * it, and asks each plugin whether this configuration offers it. Problems are reported like the
 * core's: `config: plugins.SMSOTP.templates.ja: must contain the {code} placeholder`.
 */
export function configurePlugins(plugins: readonly AuthPlugin[], config: Config): PluginsConfigured {
  const known = new Set(plugins.map((p) => p.name));
  const errors = Object.keys(config.plugins)
    .filter((name) => !known.has(name))
    .map((name) => `config: plugins.${name}: unknown plugin (known: ${[...known].join(', ')})`);
  const gateway = gatewaySettingsOf(config);
  const configured: ConfiguredPlugin[] = [];
  for (const plugin of plugins) {
    const parsed = plugin.configSchema.safeParse(config.plugins[plugin.name] ?? {});
    if (parsed.success) {
      configured.push({ plugin, settings: parsed.data, enabled: plugin.isEnabled(parsed.data, gateway) });
      continue;
    }
    for (const issue of parsed.error.issues) {
      const path = ['plugins', plugin.name, ...issue.path.map(String)].join('.');
      errors.push(`config: ${path}: ${issue.message}`);
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, plugins: configured };
}

/** {@link configurePlugins}, throwing `SEKISHO_ERR_CONFIG` with every problem when there is one. */
export function requireConfiguredPlugins(plugins: readonly AuthPlugin[], config: Config): ConfiguredPlugin[] {
  const result = configurePlugins(plugins, config);
  if (!result.ok) throw new SekishoError('SEKISHO_ERR_CONFIG', result.errors.join('\n'));
  return result.plugins;
}

/** The enabled plugins' rule-engine facts (name, aliases, passwordless). */
export function enabledMethodInfos(plugins: readonly ConfiguredPlugin[]): MethodInfo[] {
  return plugins
    .filter((p) => p.enabled)
    .map(({ plugin }) => ({ name: plugin.name, aliases: plugin.aliases, passwordless: plugin.passwordless }));
}

export interface HostDeps {
  readonly config: Config;
  /** The store's ports plugins are given, each namespaced to the plugin. */
  readonly store: ChallengeStore & KeyValueStore & RateCounter;
  readonly clock: Clock;
  readonly log: Logger;
  readonly audit: AuditLog;
  readonly secret: string;
  /** Core services offered to plugins (the in-process push service). */
  readonly services?: PluginServices;
  /** Credentials in the auth DB; each plugin sees only its method's. */
  readonly credentials: CredentialRepository;
  /** Passkeys in the auth DB (each plugin adds them under its own method name). */
  readonly webauthn: WebAuthnCredentialRepository;
  /** A sealed box per purpose (each plugin gets `plugin:<NAME>`). */
  readonly sealFor: (purpose: string) => SealedBox;
  /** Removes a user's phone number (SMSOTP's removal of a lost phone). */
  readonly clearPhone: (userId: string) => Promise<void>;
}

/** Creates the enabled plugins' methods, each with its own namespaced store and logger. */
export async function loadMethods(
  plugins: readonly ConfiguredPlugin[],
  deps: HostDeps,
): Promise<Map<string, LoadedMethod>> {
  const loaded = new Map<string, LoadedMethod>();
  for (const configured of plugins) {
    if (!configured.enabled) continue;
    const method = await configured.plugin.create(contextFor(configured, deps));
    loaded.set(configured.plugin.name, { plugin: configured.plugin, method });
  }
  return loaded;
}

/**
 * The context a plugin is created with: its parsed section, the core sections it may read, a
 * namespaced store, logging and audit.
 */
export function contextFor(configured: ConfiguredPlugin, deps: HostDeps): PluginContext<unknown> {
  const { plugin } = configured;
  const log = deps.log.child({ plugin: plugin.name });
  return {
    name: plugin.name,
    config: configured.settings,
    gateway: gatewaySettingsOf(deps.config),
    store: namespacedStore(deps.store, `${plugin.name}:`),
    clock: deps.clock,
    log: {
      info: (fields, message) => log.info(fields, message),
      warn: (fields, message) => log.warn(fields, message),
      error: (fields, message) => log.error(fields, message),
    },
    // The gateway's audit log also writes each event to the pino log (MeteredAuditLog).
    audit: async (event) => {
      await deps.audit.record({
        event: `${plugin.name}.${event.event}`,
        outcome: event.outcome,
        userId: event.userId ?? null,
        actor: event.userId ?? null,
        ip: event.client?.ip ?? null,
        userAgent: event.client?.userAgent ?? null,
        detail: event.detail ?? {},
      });
    },
    mac: (...parts) => createHmac('sha256', deps.secret).update(parts.join('\u0000')).digest('base64url'),
    services: deps.services ?? {},
    sealed: deps.sealFor(`plugin:${plugin.name}`),
    credentials: methodCredentials(deps.credentials, plugin.name, deps.clock),
    webauthn: methodWebAuthn(deps.webauthn, plugin.name, deps.clock),
    accounts: { clearPhone: deps.clearPhone },
  };
}

/** The credential repository seen by one method: its rows only, times from the gateway's clock. */
export function methodCredentials(
  repository: CredentialRepository,
  method: string,
  clock: Clock,
): PluginCredentialStore {
  return {
    list: (userId) => repository.list(userId, method),
    add: (userId, name, data, options) =>
      repository.add({ userId, method, name, data }, clock.now(), options),
    remove: (userId, id) => repository.remove(userId, method, id),
    touch: (id) => repository.touch(id, clock.now()),
    rename: (userId, id, name) => repository.rename(userId, method, id, name),
  };
}

/** The passkey repository seen by one method: added under its name, times from the gateway's clock. */
export function methodWebAuthn(
  repository: WebAuthnCredentialRepository,
  method: string,
  clock: Clock,
): PluginWebAuthnStore {
  return {
    add: (userId, name, credential) => repository.add(userId, method, name, credential, clock.now()),
    find: (credentialId) => repository.find(credentialId),
    list: (userId) => repository.list(userId),
    recordUse: (credentialId, expected, next, backedUp) =>
      repository.recordUse(credentialId, expected, next, backedUp, clock.now()),
  };
}

/** The plugin sees only its own keys: every key is prefixed with its name. */
export function namespacedStore(
  store: ChallengeStore & KeyValueStore & RateCounter,
  prefix: string,
): PluginStore {
  const k = (key: string) => prefix + key;
  return {
    openChallenge: (key, hash, max, ttl) => store.openChallenge(k(key), hash, max, ttl),
    attemptChallenge: (key, hash) => store.attemptChallenge(k(key), hash),
    discardChallenge: (key) => store.discardChallenge(k(key)),
    put: (key, value, ttl) => store.put(k(key), value, ttl),
    putIfAbsent: (key, value, ttl) => store.putIfAbsent(k(key), value, ttl),
    read: (key) => store.read(k(key)),
    take: (key) => store.take(k(key)),
    remove: (...keys) => store.remove(...keys.map(k)),
    hit: (key, windowMs) => store.hit(k(key), windowMs),
    peek: (key) => store.peek(k(key)),
    reset: (...keys) => store.reset(...keys.map(k)),
  };
}
