import { Pool } from 'undici';
import type { BackendConfig } from '../config/schema.ts';

/** A backend as both proxy paths reach it: its URL, base path and keep-alive pool, made once. */
export interface Upstream {
  readonly url: URL;
  /** The backend URL's path without its trailing slash: `/<name>/x` goes to `<basePath>/x`. */
  readonly basePath: string;
  readonly pool: Pool;
}

/** One keep-alive connection pool per backend, shared by the lean path and the Fastify proxy routes. */
export type UpstreamPools = ReadonlyMap<string, Upstream>;

/**
 * `timeoutMs` bounds the wait for the response headers and every gap between body chunks;
 * `connectTimeoutMs` the TCP (and TLS) connect. A slow backend therefore costs a socket for
 * at most that long, never forever.
 */
export function createUpstreamPools(backends: Readonly<Record<string, BackendConfig>>): UpstreamPools {
  const upstreams = new Map<string, Upstream>();
  for (const [name, backend] of Object.entries(backends)) {
    const url = new URL(backend.url);
    const pool = new Pool(url.origin, {
      connections: 128,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: backend.timeoutMs,
      bodyTimeout: backend.timeoutMs,
      connect: { timeout: backend.connectTimeoutMs },
    });
    upstreams.set(name, { url, basePath: url.pathname.replace(/\/+$/, ''), pool });
  }
  return upstreams;
}

/**
 * The path a backend receives for a canonical gateway path under `/<name>`: its base path, then
 * the rest of the path, byte for byte (`/bk01` alone is the backend's root). Both proxy
 * carriers send exactly this, followed by the canonical query.
 */
export function upstreamPath(upstream: Pick<Upstream, 'basePath'>, name: string, path: string): string {
  const forwarded = upstream.basePath + path.slice(name.length + 1);
  return forwarded === '' ? '/' : forwarded;
}

export async function closeUpstreamPools(pools: UpstreamPools): Promise<void> {
  await Promise.all([...pools.values()].map(({ pool }) => (pool.destroyed ? undefined : pool.destroy())));
}
