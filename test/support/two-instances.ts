import type { Clock } from '../../src/ports/clock.ts';
import { startBackedGateway } from './backed-gateway.ts';
import type { FakeBackend } from './backend.ts';
import { addUser, startGateway, type TestGateway } from './gateway.ts';

/**
 * Two gateway instances sharing Postgres and Redis (B shares A's schema and key prefix) in front
 * of one fake backend, with the rules set and one user added through A.
 */
export interface TwoInstances {
  readonly backend: FakeBackend;
  readonly a: TestGateway;
  readonly b: TestGateway;
  /** The user's password. */
  readonly password: string;
  /** Stops B, then A, then the backend. */
  close(): Promise<void>;
}

export interface TwoInstancesOptions {
  /** Backend names, each proxied at `/<name>/` to the one fake backend. */
  readonly backends: readonly string[];
  readonly rules: readonly string[];
  readonly user: { readonly id: string; readonly groups?: string[] };
  /** B's clock (A runs on the system clock). */
  readonly clockB?: Clock;
}

export async function startTwoInstances(options: TwoInstancesOptions): Promise<TwoInstances> {
  const { backends, rules, user, clockB } = options;
  const first = await startBackedGateway({ backends, rules });
  const { backend, gw: a } = first;
  let b: TestGateway | undefined;
  const close = async () => {
    await b?.close();
    await first.close();
  };
  try {
    const password = await addUser(a, user.id, { groups: user.groups });
    const config = { backends: Object.fromEntries(backends.map((name) => [name, { url: backend.url }])) };
    b = await startGateway({ config, sharedWith: a, clock: clockB });
    return { backend, a, b, password, close };
  } catch (error) {
    await close();
    throw error;
  }
}
