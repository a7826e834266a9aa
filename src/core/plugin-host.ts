import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { SekishoError } from '../domain/errors.ts';
import type { AuditLog } from '../ports/audit.ts';
import type { Clock } from '../ports/clock.ts';
import type { Store } from '../ports/store.ts';
import type { AuthMethod, AuthPlugin, PluginContext, PluginServices, PluginStore } from '../plugin-api.ts';
import type { MethodInfo } from './method-catalogue.ts';

/** A plugin this gateway runs, created and ready. */
export interface LoadedMethod {
  readonly plugin: AuthPlugin;
  readonly method: AuthMethod;
}

/** The enabled plugins' rule-engine facts (name, aliases, passwordless). */
export function enabledMethodInfos(plugins: readonly AuthPlugin[], config: Config): MethodInfo[] {
  return enabledPlugins(plugins, config).map((p) => ({
    name: p.name,
    aliases: p.aliases,
    passwordless: p.passwordless,
  }));
}

function enabledPlugins(plugins: readonly AuthPlugin[], config: Config): AuthPlugin[] {
  return plugins.filter((plugin) => plugin.isEnabled(config as unknown as Record<string, unknown>));
}

/** Validates every plugin's `plugins.<NAME>` section; returns one line per problem, with its key path. */
export function validatePluginConfig(plugins: readonly AuthPlugin[], config: Config): string[] {
  const problems: string[] = [];
  const known = new Set(plugins.map((p) => p.name));
  for (const name of Object.keys(config.plugins)) {
    if (!known.has(name))
      problems.push(`config: plugins.${name}: unknown plugin (known: ${[...known].join(', ')})`);
  }
  for (const plugin of plugins) {
    const parsed = plugin.configSchema.safeParse(config.plugins[plugin.name] ?? {});
    if (parsed.success) continue;
    for (const issue of parsed.error.issues) {
      const path = ['plugins', plugin.name, ...issue.path.map(String)].join('.');
      problems.push(`config: ${path}: ${issue.message}`);
    }
  }
  return problems;
}

export interface HostDeps {
  readonly config: Config;
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Logger;
  readonly audit: AuditLog;
  readonly secret: string;
  /** Core services offered to plugins (the in-process push service). */
  readonly services?: PluginServices;
}

/** Creates the enabled plugins' methods, each with its own namespaced store and logger. */
export async function loadMethods(
  plugins: readonly AuthPlugin[],
  deps: HostDeps,
): Promise<Map<string, LoadedMethod>> {
  const problems = validatePluginConfig(plugins, deps.config);
  if (problems.length > 0) throw new SekishoError('SEKISHO_ERR_CONFIG', problems.join('\n'));
  const loaded = new Map<string, LoadedMethod>();
  for (const plugin of enabledPlugins(plugins, deps.config)) {
    const method = await plugin.create(contextFor(plugin, deps));
    loaded.set(plugin.name, { plugin, method });
  }
  return loaded;
}

/** The context a plugin is created with: its config section, a namespaced store, logging and audit. */
export function contextFor(plugin: AuthPlugin, deps: HostDeps): PluginContext<unknown> {
  const config = plugin.configSchema.parse(deps.config.plugins[plugin.name] ?? {});
  const log = deps.log.child({ plugin: plugin.name });
  return {
    name: plugin.name,
    config,
    gatewayConfig: deps.config as unknown as PluginContext<unknown>['gatewayConfig'],
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
  };
}

/** The plugin sees only its own keys: every key is prefixed with its name. */
export function namespacedStore(store: Store, prefix: string): PluginStore {
  const k = (key: string) => prefix + key;
  return {
    openChallenge: (key, hash, max, ttl) => store.openChallenge(k(key), hash, max, ttl),
    attemptChallenge: (key, hash) => store.attemptChallenge(k(key), hash),
    put: (key, value, ttl) => store.put(k(key), value, ttl),
    putIfAbsent: (key, value, ttl) => store.putIfAbsent(k(key), value, ttl),
    read: (key) => store.read(k(key)),
    take: (key) => store.take(k(key)),
    remove: (...keys) => store.remove(...keys.map(k)),
    hit: (key, windowMs) => store.hit(k(key), windowMs),
    peek: (key) => store.peek(k(key)),
  };
}
