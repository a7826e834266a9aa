/**
 * The data the many-users measurements run against: rules, users and other live sessions written
 * by a process of their own, then sessions logged in through the real form. Shared by the
 * many-users suite and the instruction counts, so that both measure the same gateway state.
 */
import { command, type Harness } from './harness.ts';
import { loginThroughForm } from './login.ts';
import { runPinned, type Server } from './processes.ts';
import type { SeedOptions } from './seed-worker.ts';

export interface Population {
  readonly rules: number;
  /** Users `bench-0000`…, each logged in once. */
  readonly users: number;
  /** Other live sessions written to Redis. */
  readonly sessions: number;
}

/**
 * Writes the population into a gateway's schema and key prefix from another process, through the
 * production adapters, and has the gateway load it from its change feed (a change made elsewhere,
 * as in production). Returns the seconds the writing took.
 */
export async function seedPopulation(
  h: Harness,
  gateway: Server,
  where: { schema: string; keyPrefix: string; password: string },
  population: Population,
): Promise<number> {
  const seeded = await runPinned<{ seconds: number }>(
    './seed-worker.ts',
    [
      JSON.stringify({
        ...{ databaseUrl: h.databaseUrl, redisUrl: h.redisUrl, ...where },
        ...population,
        // The bench gateway runs with the default session timeouts.
        ...{ idleMs: 1_800_000, absoluteMs: 28_800_000 },
      } satisfies SeedOptions),
    ],
    h.loadCore,
  );
  await command(gateway, { cmd: 'reload' });
  return seeded.seconds;
}

/**
 * Logs every user in through the form, eight at a time for the KDF's four threads; the gateway
 * may use both cores meanwhile (nothing is measured) and is pinned back to core 0 after.
 * Returns the session cookies' values, in the users' order.
 */
export async function logInAll(
  h: Harness,
  gateway: Server,
  users: readonly string[],
  password: string,
): Promise<string[]> {
  const pid = gateway.child.pid ?? 0;
  const origin = `http://127.0.0.1:${gateway.port}`;
  await h.setCores(pid, '0,1');
  const tokens: string[] = new Array<string>(users.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < users.length) {
        const i = next++;
        tokens[i] = await loginThroughForm(origin, users[i] ?? '', password);
      }
    }),
  );
  await h.setCores(pid, '0');
  return tokens;
}
