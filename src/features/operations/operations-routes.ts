import type { FastifyInstance } from 'fastify';
import type { OperationsDeps } from './deps.ts';
import { metricsExposition } from '../../metrics/cluster-metrics.ts';
import { loadStaticFiles } from '../../web/static-files.ts';

/** Health for the process, readiness for the load balancer, metrics for Prometheus. */
export async function operationsRoutes(app: FastifyInstance, gateway: OperationsDeps) {
  app.get('/_sekisho/healthz', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'ok' }),
  );

  app.get('/_sekisho/readyz', async (_request, reply) => {
    const ready = await gateway.readiness.check();
    const failing = Object.fromEntries(gateway.readiness.problems);
    return reply
      .code(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: ready ? 'ready' : 'unavailable', failing: Object.keys(failing) });
  });

  const exposition = metricsExposition(gateway.metrics.registry);
  app.get('/_sekisho/metrics', async (_request, reply) => {
    const body = await exposition();
    return reply.type(gateway.metrics.registry.contentType).send(body);
  });

  const files = loadStaticFiles();
  app.get<{ Params: { '*': string } }>('/_sekisho/static/*', async (request, reply) => {
    const file = files.get(request.params['*']);
    if (!file) return reply.callNotFound();
    return reply.type(file.type).header('cache-control', 'public, max-age=3600').send(file.body);
  });
}
