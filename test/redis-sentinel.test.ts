import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionOptions } from '../src/adapters/pg/database.ts';
import { RedisStore } from '../src/adapters/redis/redis-store.ts';
import { startBackend, type FakeBackend } from './support/backend.ts';
import { FormClient } from './support/browser-client.ts';
import { databaseUrl, uniqueName } from './support/env.ts';
import { addUser, setRules, startGateway, type TestGateway } from './support/gateway.ts';
import { startSentinelGroup, type RedisProcess, type SentinelGroup } from './support/redis-sentinel.ts';
import { waitFor } from './support/wait-for.ts';

/**
 * The gateway configured with Sentinel only (no Redis URL) against a real primary, replica
 * and Sentinel of its own. The session cache is off so that every request reads the store:
 * a session that still works after a failover was read from the new primary.
 */
describe('Redis Sentinel: the gateway finds the primary and follows a failover', () => {
  let group: SentinelGroup;
  let first: RedisProcess;
  let second: RedisProcess;
  let backend: FakeBackend;
  let gw: TestGateway;
  let keyPrefix: string;
  let password: string;
  /** Logged in before any failover. */
  let early: FormClient;
  /** Logged in after the first failover, on the promoted replica. */
  let later: FormClient;

  beforeAll(async () => {
    group = await startSentinelGroup('sekisho-test');
    [first, second] = group.nodes;
    backend = await startBackend();
    keyPrefix = `${uniqueName('kv')}:`;
    gw = await startGateway({
      config: {
        backends: { bk01: { url: backend.url } },
        redis: {
          sentinels: [{ host: '127.0.0.1', port: group.sentinel.port }],
          sentinelName: group.name,
          keyPrefix,
        },
        sessionCache: { ttlMs: 0 },
      },
    });
    await setRules(gw, '/bk01/=ALL;;');
    password = await addUser(gw, 'taro');
  });
  afterAll(async () => {
    // Not gw.close(): its clean-up scans the suite's shared Redis, which this test never uses.
    await gw?.runtime.close();
    if (gw) await dropSchema(gw.config.database.schema);
    await backend?.close();
    await group?.close();
  });

  /** The port of the Redis the gateway's store connection is talking to right now. */
  function storePort(): number | undefined {
    const store = gw.runtime.gateway.store;
    return store instanceof RedisStore ? store.client.stream?.remotePort : undefined;
  }

  async function sessionKeys(node: RedisProcess): Promise<string[]> {
    return (await node.client.keys(`${keyPrefix}sess:*`)).sort();
  }

  async function loginReachesBackend(client: FormClient): Promise<void> {
    expect((await client.login('taro', password, '/bk01/')).status).toBe(303);
    const page = await client.get('/bk01/a');
    expect(page.status).toBe(200);
    expect((JSON.parse(page.body) as { headers: Record<string, string> }).headers['x-remote-user']).toBe(
      'taro',
    );
  }

  /**
   * Requests `/bk01/a` with `client`'s session over and over until `until` resolves, and
   * returns every status seen: during a switch the gateway may fail closed (503), but it must
   * never lose the session (a redirect to the login page) or fail open.
   */
  async function pollDuring(client: FormClient, until: Promise<unknown>): Promise<Set<number>> {
    const statuses = new Set<number>();
    let done = false;
    const finished = until.finally(() => (done = true));
    while (!done) {
      statuses.add((await client.get('/bk01/a')).status);
      await Promise.race([finished.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 50))]);
    }
    await finished;
    return statuses;
  }

  /** Waits until the sentinel names `node` as the primary and the gateway has followed it. */
  async function followedTo(node: RedisProcess, sentinelDeadlineMs: number): Promise<void> {
    await waitFor(
      async () => (await group.primaryPort()) === node.port,
      sentinelDeadlineMs,
      'the new primary',
    );
    // Well before Sentinel demotes an old primary that is still up (some 10 s after the switch),
    // which would push the gateway off it: the gateway must follow the announcement itself.
    await waitFor(() => storePort() === node.port, 3000, 'the gateway connected to the new primary');
  }

  it('has no Redis URL and reaches a backend with a session stored on the primary', async () => {
    expect(gw.config.redis.url).toBeUndefined();
    expect(await group.primaryPort()).toBe(first.port);
    expect(storePort()).toBe(first.port);
    early = new FormClient(gw.url);
    await loginReachesBackend(early);
    const keys = await sessionKeys(first);
    expect(keys).toHaveLength(1);
    await waitFor(async () => (await sessionKeys(second)).length === 1, 5000, 'the session on the replica');
  });

  it('follows SENTINEL FAILOVER: the session lives on and a new login lands on the new primary', async () => {
    const [key] = await sessionKeys(second);
    const seenBefore = Number(await second.client.hget(key as string, 's'));
    await group.sentinel.client.call('SENTINEL', 'FAILOVER', group.name);
    const statuses = await pollDuring(early, followedTo(second, 10_000));
    expect([...statuses].filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect(await second.client.call('ROLE')).toContain('master');

    await waitFor(
      async () => (await early.get('/bk01/a')).status === 200,
      5000,
      'the old session served again',
    );
    // Its touch was written to the new primary.
    expect(Number(await second.client.hget(key as string, 's'))).toBeGreaterThan(seenBefore);

    later = new FormClient(gw.url);
    await loginReachesBackend(later);
    expect(await sessionKeys(second)).toHaveLength(2);
  }, 30_000);

  it('follows the crash of the primary: fails closed at most briefly, then serves from the promoted replica', async () => {
    // The old primary must first have been turned into a replica of the new one and caught up.
    // Sentinel demotes it some 10 s after the switch and refreshes a replica's state every 10 s.
    await group.awaitPromotableReplica(first.port, 35_000);
    await waitFor(async () => (await sessionKeys(first)).length === 2, 5000, 'both sessions on the replica');
    await second.kill();
    const statuses = await pollDuring(early, followedTo(first, 15_000));
    expect([...statuses].filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect(await first.client.call('ROLE')).toContain('master');

    await waitFor(
      async () => (await early.get('/bk01/a')).status === 200,
      5000,
      'the old session served again',
    );
    // The session made on the first promoted replica survived both switches.
    expect((await later.get('/bk01/a')).status).toBe(200);
    const latest = new FormClient(gw.url);
    await loginReachesBackend(latest);
    expect(await sessionKeys(first)).toHaveLength(3);
  }, 60_000);
});

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client(connectionOptions(databaseUrl));
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
