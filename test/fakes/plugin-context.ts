/**
 * A hand-built PluginContext for plugin tests: a real store (memory by default; namespaced like the
 * core does it), a fake clock, audit rows collected in an array, log lines likewise, and an HMAC `mac`.
 */
import { createHmac } from 'node:crypto';
import { MemoryStore } from '../../src/adapters/memory/memory-store.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { methodCredentials, methodWebAuthn, namespacedStore } from '../../src/core/plugin-host.ts';
import { MemoryCredentialRepository } from '../../src/adapters/memory/memory-credentials.ts';
import { MemoryWebAuthnRepository } from '../../src/adapters/memory/memory-webauthn.ts';
import { sealedBox } from '../../src/adapters/crypto/sealed-box.ts';
import type { Store } from '../../src/ports/store.ts';
import type {
  GatewaySettings,
  PluginAuditEvent,
  PluginContext,
  PluginServices,
} from '../../src/plugin-api.ts';

/** One captured log line. */
export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** The context plus handles the test uses to look inside and move time. */
export interface TestPluginContext<C> {
  readonly ctx: PluginContext<C>;
  readonly clock: FakeClock;
  /** The whole store; plugin keys are under `<plugin name>:`. */
  readonly store: Store;
  readonly audits: PluginAuditEvent[];
  readonly logs: LogLine[];
}

const SECRET = 'test-secret-test-secret-test-secret!';

/**
 * Builds a context for plugin `name` with its parsed `config` and the core sections `gateway` (made
 * by gateway-settings.ts); `makeStore` swaps the memory store for another (e.g. Redis, whose expiry
 * follows real time, not the clock).
 */
export function buildPluginContext<C>(
  name: string,
  config: C,
  gateway: GatewaySettings,
  makeStore: (clock: FakeClock) => Store = (clock) => new MemoryStore(clock),
  services: (clock: FakeClock) => PluginServices = () => ({}),
): TestPluginContext<C> {
  const clock = new FakeClock();
  const store = makeStore(clock);
  const audits: PluginAuditEvent[] = [];
  const logs: LogLine[] = [];
  const ctx: PluginContext<C> = {
    name,
    config,
    gateway,
    store: namespacedStore(store, `${name}:`),
    clock,
    log: {
      info: (fields, message) => void logs.push({ level: 'info', fields, message }),
      warn: (fields, message) => void logs.push({ level: 'warn', fields, message }),
      error: (fields, message) => void logs.push({ level: 'error', fields, message }),
    },
    audit: async (event) => void audits.push(event),
    mac: (...parts) => createHmac('sha256', SECRET).update(parts.join('\u0000')).digest('base64url'),
    services: services(clock),
    sealed: sealedBox(SECRET, `plugin:${name}`),
    ...pluginCredentials(name, clock),
    accounts: { clearPhone: async () => undefined },
  };
  return { ctx, clock, store, audits, logs };
}

/** One method's general credential records and passkeys, in memory and linked like the Postgres tables. */
function pluginCredentials(name: string, clock: FakeClock) {
  const repository = new MemoryCredentialRepository();
  return {
    credentials: methodCredentials(repository, name, clock),
    webauthn: methodWebAuthn(new MemoryWebAuthnRepository(repository), name, clock),
  };
}
