/**
 * Writes the many-users suite's data (bench/seed.ts) into a bench gateway's schema and key prefix
 * from a process of its own, through the production adapters, and reports `{ seconds }`.
 * Usage: seed-worker.ts <json SeedOptions>
 */
import { createArgon2Hasher } from '../src/adapters/argon2-hasher.ts';
import { createPool } from '../src/adapters/pg/database.ts';
import { PgRuleRepository } from '../src/adapters/pg/pg-rule-repository.ts';
import { PgUserRepository } from '../src/adapters/pg/pg-user-repository.ts';
import { RedisStore } from '../src/adapters/redis/redis-store.ts';
import { buildCatalogue } from '../src/core/method-catalogue.ts';
import { NO_NETWORKS } from '../src/domain/networks.ts';
import { systemClock } from '../src/ports/clock.ts';
import { benchRuleLines, seedRules, seedSessions, seedUsers } from './seed.ts';

export interface SeedOptions {
  readonly databaseUrl: string;
  readonly schema: string;
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly rules: number;
  /** Users `bench-0000`… with `password`, in the group `staff`. */
  readonly users: number;
  readonly password: string;
  /** Other live sessions in the store. */
  readonly sessions: number;
  /** The gateway's session timeouts (ms). */
  readonly idleMs: number;
  readonly absoluteMs: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as SeedOptions;
const started = performance.now();
const pool = createPool(options.databaseUrl, options.schema, 4);
// A slow machine's Redis may take longer than the gateway's 1 s for a batch of writes.
const store = new RedisStore(
  { url: options.redisUrl, keyPrefix: options.keyPrefix, commandTimeoutMs: 10_000 },
  systemClock,
);
try {
  await store.connect();
  // The bench rules name no method, so the catalogue of no plugin parses them as the gateway's would.
  const catalogue = buildCatalogue([]);
  await seedRules(
    { ruleRepository: new PgRuleRepository(pool), catalogue, networks: NO_NETWORKS },
    benchRuleLines(options.rules),
  );
  await seedUsers(
    { users: new PgUserRepository(pool), hasher: await createArgon2Hasher() },
    options.users,
    options.password,
  );
  await seedSessions(
    { store, clock: systemClock, idleMs: options.idleMs, absoluteMs: options.absoluteMs },
    options.sessions,
  );
} finally {
  await store.close();
  await pool.end();
}
process.send?.({ seconds: (performance.now() - started) / 1000 }, () => process.exit(0));
