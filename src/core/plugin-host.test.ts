import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MemoryStore } from '../adapters/memory/memory-store.ts';
import { MemoryCredentialRepository } from '../adapters/memory/memory-credentials.ts';
import { MemoryWebAuthnRepository } from '../adapters/memory/memory-webauthn.ts';
import { sealedBox } from '../adapters/crypto/sealed-box.ts';
import { loadConfig } from '../config/load.ts';
import type { Config, ConfigInput } from '../config/schema.ts';
import type { AuthPlugin, GatewaySettings, PluginContext } from '../plugin-api.ts';
import { FakeClock } from '../ports/clock.ts';
import { allPlugins } from '../plugins-registry.ts';
import { configurePlugins, contextFor, enabledMethodInfos, loadMethods } from './plugin-host.ts';

function load(input: ConfigInput): Config {
  const result = loadConfig({ env: {}, overrides: input });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

/** A plugin that records every parse of its section and what the host hands it. */
function recordingPlugin(enabled: boolean) {
  const seen = { parses: 0, isEnabled: [] as unknown[], created: [] as PluginContext<unknown>[] };
  const configSchema = z
    .strictObject({ greeting: z.string().default('hello') })
    .transform((section) => ({ ...section, parse: (seen.parses += 1) }));
  const plugin: AuthPlugin<z.output<typeof configSchema>> = {
    name: 'ECHO',
    aliases: [],
    passwordless: false,
    configSchema,
    messages: { ja: { methodName: 'エコー' }, en: { methodName: 'Echo' } },
    isEnabled: (config, gateway: GatewaySettings) => {
      seen.isEnabled.push({ config, gateway });
      return enabled;
    },
    create: async (ctx) => {
      seen.created.push(ctx);
      return {
        start: async () => ({ kind: 'problem', messageKey: 'x', retry: false }),
        verify: async () => ({ kind: 'dead', messageKey: 'x' }),
      };
    },
  };
  return { plugin, seen };
}

function hostDeps(config: Config) {
  const clock = new FakeClock();
  const audit = { record: async () => undefined };
  const log = pino({ level: 'silent' });
  const credentials = new MemoryCredentialRepository();
  const sealFor = (purpose: string) => sealedBox('s'.repeat(32), purpose);
  return {
    config,
    store: new MemoryStore(clock),
    clock,
    log,
    audit,
    secret: 's'.repeat(32),
    credentials,
    webauthn: new MemoryWebAuthnRepository(credentials),
    sealFor,
    clearPhone: async () => undefined,
  };
}

describe('configurePlugins', () => {
  it('reports every bad plugin section at once, each with its key path', () => {
    const config = load({
      plugins: { SMSOTP: { templates: { ja: 'こんにちは' } }, MAMORU: { service: 'mamoru' }, NOPE: {} },
    });
    expect(configurePlugins(allPlugins, config)).toEqual({
      ok: false,
      errors: [
        'config: plugins.NOPE: unknown plugin (known: SMSOTP, MAMORU, TOTP, PASSKEY)',
        'config: plugins.SMSOTP.templates.ja: must contain the {code} placeholder',
        "config: plugins.MAMORU.service: must be 'local' or {url, apiKey, timeoutMs}",
      ],
    });
  });

  it('parses each section once and hands that value to isEnabled and create', async () => {
    const { plugin, seen } = recordingPlugin(true);
    const config = load({ plugins: { ECHO: { greeting: 'yo' } } });
    const result = configurePlugins([plugin], config);
    if (!result.ok) throw new Error(result.errors.join('\n'));
    await loadMethods(result.plugins, hostDeps(config));
    expect(seen.parses).toBe(1);
    expect(seen.isEnabled).toEqual([{ config: { greeting: 'yo', parse: 1 }, gateway: expect.anything() }]);
    expect(seen.created.map((ctx) => ctx.config)).toEqual([{ greeting: 'yo', parse: 1 }]);
  });

  it('neither offers nor creates a plugin that is not enabled', async () => {
    const { plugin, seen } = recordingPlugin(false);
    const config = load({});
    const result = configurePlugins([plugin], config);
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(enabledMethodInfos(result.plugins)).toEqual([]);
    expect((await loadMethods(result.plugins, hostDeps(config))).size).toBe(0);
    expect(seen.created).toEqual([]);
  });
});

describe('the context a plugin is created with', () => {
  it('holds only the core sections plugins may read, as the core parsed them', () => {
    const { plugin } = recordingPlugin(true);
    const config = load({ secret: 'x'.repeat(40), otp: { length: 8 }, database: { url: 'postgres://h/db' } });
    const ctx = contextFor({ plugin, settings: {}, enabled: true }, hostDeps(config));
    expect(Object.keys(ctx.gateway).sort()).toEqual(['otp', 'publicUrl', 'push', 'sms', 'timeZone']);
    expect(ctx.gateway.timeZone).toBe('Asia/Tokyo');
    expect(ctx.gateway.otp).toBe(config.otp);
    expect(ctx.gateway.sms).toBe(config.sms);
    expect(ctx.gateway.push).toBe(config.push);
    expect(ctx.gateway.otp.length).toBe(8);
    expect(Object.isFrozen(ctx.gateway.otp)).toBe(true);
    expect(JSON.stringify(ctx.gateway)).not.toContain('x'.repeat(40));
  });
});
