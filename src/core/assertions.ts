import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { Clock } from '../ports/clock.ts';
import type { KeyStore } from '../ports/key-store.ts';
import { configuredAssertionKey, storedAssertionKeys } from './assertion-keys.ts';
import { AssertionSigner } from './assertion-signer.ts';

/**
 * The assertion signer as the configuration asks (null: `assertion.enabled: false`): its key from
 * `assertion.privateKey`, else made once in Postgres for every instance.
 */
export async function startAssertions(
  config: Pick<Config, 'assertion' | 'publicUrl'>,
  keys: KeyStore,
  clock: Clock,
  log: Logger,
): Promise<AssertionSigner | null> {
  const { enabled, lifetimeSeconds, privateKey } = config.assertion;
  if (!enabled) return null;
  return AssertionSigner.start({
    issuer: new URL(config.publicUrl).origin,
    lifetimeSeconds,
    clock,
    log: log.child({ component: 'assertion' }),
    loadKeys: privateKey ? configuredAssertionKey(privateKey) : storedAssertionKeys(keys),
  });
}
