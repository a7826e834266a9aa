/**
 * The two proxy carriers, for suites that must hold on both: the lean path (node:http →
 * undici, for allowed requests) and the Fastify path (`proxy.leanPath: false`, every request
 * through the gate and @fastify/http-proxy). Use with `describe.each(carriers)` and pass
 * `proxy: { leanPath }` to the gateway's config.
 */
export const carriers = [
  { carrier: 'lean path', leanPath: true },
  { carrier: 'Fastify path', leanPath: false },
] as const;
