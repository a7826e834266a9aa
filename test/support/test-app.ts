import type { FastifyInstance } from 'fastify';
import type { HttpTarget } from './browser-client.ts';
import { createTestRuntime, type GatewayOptions, type TestGateway, type TestRuntime } from './gateway.ts';

/**
 * The gateway's Fastify app, built the way the product builds it (`createRuntime` → `buildApp`,
 * real Postgres and Redis in its own schema and prefix) but never listening: requests go in
 * through `app.inject()`. Use it for what the gateway answers itself (pages, forms, CSRF,
 * redirects, the gate's 4xx, its JSON APIs); anything that needs a backend, a socket or a
 * second instance wants `startGateway` (test/integration/).
 *
 * Injected requests enter Fastify directly, so they take the Fastify carrier: the lean path
 * sits in the node:http server, in front of Fastify (src/proxy/proxy.ts).
 */
export interface TestApp extends TestRuntime {
  readonly app: FastifyInstance;
}

/** Builds and readies a test app; `close()` it when done (it drops its schema and key prefix). */
export async function buildTestApp(options: GatewayOptions = {}): Promise<TestApp> {
  const test = await createTestRuntime(options);
  const { app } = test.runtime;
  try {
    await app.ready();
  } catch (error) {
    await test.close();
    throw error;
  }
  return { ...test, app };
}

/** Where a helper's requests go: into the app, or to the listening gateway's URL. */
export function httpTarget(gw: TestApp | TestGateway): HttpTarget {
  return 'app' in gw ? gw.app : gw.url;
}
