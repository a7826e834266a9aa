import { expect } from 'vitest';
import { startBackedGateway, type BackedGateway } from './backed-gateway.ts';
import type { FakeBackend } from './backend.ts';
import { FormClient, send } from './browser-client.ts';
import { databaseUrl, redisUrl, uniqueName } from './env.ts';
import { addUser, type TestGateway } from './gateway.ts';
import { startTcpForwarderFor, type TcpForwarder } from './tcp-forwarder.ts';

/**
 * A gateway whose Postgres or Redis connection runs through a TCP forwarder the test can cut
 * (`forwarder.cut()`, `forwarder.restore()`): the set-up of the fail-closed suites. A backend
 * serves `/bk01/` (login needed) and `/open/` (BYPASS), and `client` is logged in as taro.
 */
export interface CutOffGateway {
  readonly backend: FakeBackend;
  readonly forwarder: TcpForwarder;
  readonly gw: TestGateway;
  readonly password: string;
  readonly client: FormClient;
  /** A JSON request to the gateway with the logged-in client's cookies. */
  json(path: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Restores the connection, stops the gateway and the backend, then cuts the forwarder. */
  close(): Promise<void>;
}

/** Starts a gateway on either carrier with `store` behind a forwarder, and logs taro in. */
export async function startCutOffGateway(
  store: 'postgres' | 'redis',
  leanPath: boolean,
): Promise<CutOffGateway> {
  const { forwarder, url } = await startTcpForwarderFor(store === 'postgres' ? databaseUrl : redisUrl);
  let backed: BackedGateway | undefined;
  try {
    backed = await startBackedGateway({
      backends: ['bk01', 'open'],
      rules: ['/bk01/=ALL;;', '/open/=ALL;;BYPASS'],
      config: { proxy: { leanPath }, ...throughForwarder(store, url) },
    });
    const { backend, gw } = backed;
    const password = await addUser(gw, 'taro');
    const client = new FormClient(gw.url);
    expect((await client.login('taro', password, '/bk01/')).status).toBe(303);
    return {
      backend,
      forwarder,
      gw,
      password,
      client,
      json: async (path) => {
        const response = await send(gw.url, 'GET', path, {
          accept: 'application/json',
          cookie: client.cookieHeader(),
        });
        return { status: response.status, body: JSON.parse(response.body) as Record<string, unknown> };
      },
      close: () => closeAll(forwarder, backed),
    };
  } catch (error) {
    await closeAll(forwarder, backed);
    throw error;
  }
}

/** The store's config section, with `url` (the forwarder's): Redis under a fresh key prefix. */
function throughForwarder(store: 'postgres' | 'redis', url: string): Record<string, unknown> {
  if (store === 'redis') return { redis: { url, keyPrefix: `${uniqueName('kv')}:` } };
  // A fresh schema of its own, named: this section replaces the one testConfig would give.
  return { database: { url, schema: uniqueName('db'), poolSize: 4 } };
}

async function closeAll(forwarder: TcpForwarder, backed: BackedGateway | undefined): Promise<void> {
  await forwarder.restore().catch(() => {});
  await backed?.close();
  await forwarder.cut();
}
