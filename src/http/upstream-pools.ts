import { Pool } from 'undici';
import type { BackendConfig } from '../config/schema.ts';

/** One keep-alive connection pool per backend, shared by the lean path and the Fastify proxy routes. */
export type UpstreamPools = ReadonlyMap<string, Pool>;

/**
 * `timeoutMs` bounds the wait for the response headers and every gap between body chunks;
 * `connectTimeoutMs` the TCP (and TLS) connect. A slow backend therefore costs a socket for
 * at most that long, never forever.
 */
export function createUpstreamPools(backends: Readonly<Record<string, BackendConfig>>): UpstreamPools {
  const pools = new Map<string, Pool>();
  for (const [name, backend] of Object.entries(backends)) {
    pools.set(
      name,
      new Pool(new URL(backend.url).origin, {
        connections: 128,
        pipelining: 1,
        keepAliveTimeout: 60_000,
        headersTimeout: backend.timeoutMs,
        bodyTimeout: backend.timeoutMs,
        connect: { timeout: backend.connectTimeoutMs },
      }),
    );
  }
  return pools;
}

export async function closeUpstreamPools(pools: UpstreamPools): Promise<void> {
  await Promise.all([...pools.values()].map((pool) => (pool.destroyed ? undefined : pool.destroy())));
}
