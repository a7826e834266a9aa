/**
 * What one session read costs the gateway's process, and what reading many in one round trip
 * would: `npx node bench/session-reads.ts [reads]`. Against the real Redis, in a key prefix of its
 * own (removed at the end), with sessions written through the store adapter:
 *
 * - one at a time: `RedisStore.touchSession` as the session service calls it on a miss or a
 *   refresh (one script, one round trip);
 * - 8 at once: the same calls issued together (separate commands, one turn);
 * - 100 in one call: `RedisStore.touchSessions`, the same touch done for many sessions in one
 *   script (one round trip), as the session service's batched background re-reads do.
 *
 * Prints the process CPU (user + system) per session read; wall time is not the point here.
 */
import { randomBytes } from 'node:crypto';
import { RedisStore } from '../src/adapters/redis/redis-store.ts';
import { hashToken } from '../src/core/session-token.ts';
import { systemClock } from '../src/ports/clock.ts';
import type { StoredSession } from '../src/ports/session-store.ts';

const reads = Number(process.argv[2] ?? 20_000);
const prefix = `sekisho_bench_reads_${randomBytes(4).toString('hex')}:`;
const store = new RedisStore(
  { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', keyPrefix: prefix, commandTimeoutMs: 5000 },
  systemClock,
);
await store.connect();

const now = Date.now();
const touch = { now, idleMs: 1_800_000, ttlMs: 1_800_000, indexTtlMs: 28_800_000 };
const hashes = Array.from({ length: 1000 }, (_, i) => hashToken(`reads-${i}`));
await Promise.all(
  hashes.map((hash, i) => {
    const session: StoredSession = {
      userId: `u${i}`,
      groups: ['staff', 'team0042'],
      proven: ['password'],
      provenAt: { password: now },
      createdAt: now,
      authenticatedAt: now,
      ip: '10.0.0.1',
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36',
    };
    return store.createSession(hash, session, touch);
  }),
);

let next = 0;
const hash = () => hashes[next++ % hashes.length] ?? '';
const ways: [string, (count: number) => Promise<unknown>][] = [
  ['one at a time', (count) => Promise.all([...Array(count)].map(() => store.touchSession(hash(), touch)))],
  ['8 at once', (count) => Promise.all([...Array(count)].map(() => store.touchSession(hash(), touch)))],
  [
    '100 in one call',
    (count) =>
      store.touchSessions(
        [...Array(count)].map(() => hash()),
        touch,
      ),
  ],
];
const perStep = [1, 8, 100];

try {
  for (const [i, [name, step]] of ways.entries()) {
    const size = perStep[i] ?? 1;
    const run = async (total: number) => {
      for (let done = 0; done < total; done += size) await step(size);
    };
    await run(Math.min(reads, 5000)); // warm-up
    const before = process.cpuUsage();
    await run(reads);
    const used = process.cpuUsage(before);
    console.log(
      `${name.padEnd(18)} ${((used.user + used.system) / reads).toFixed(1)} µs CPU per session read`,
    );
  }
} finally {
  const keys = await store.client.keys(`${prefix}*`);
  if (keys.length > 0) await store.client.del(...keys);
  await store.close();
}
