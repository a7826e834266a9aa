/**
 * Mounts the push service's HTTP API: the device API always, the Mamoru-style API only when
 * `push.apiKeys` lists keys. Each in its own encapsulated context, so its error handler and
 * hooks touch no other route. Expects @fastify/rate-limit registered (global: false).
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/schema.ts';
import { apiRoutes } from './api-routes.ts';
import { deviceRoutes } from './device-routes.ts';
import type { PushService } from '../../ports/push-service.ts';

export async function registerPushRoutes(
  app: FastifyInstance,
  service: PushService,
  config: Config,
): Promise<void> {
  await app.register(async (devices) => deviceRoutes(devices, service));
  const { apiKeys } = config.push;
  if (apiKeys.length > 0) await app.register(async (api) => apiRoutes(api, service, apiKeys));
  // Long polls would otherwise hold the server's close for up to 25 s.
  app.addHook('preClose', async () => service.close());
}
