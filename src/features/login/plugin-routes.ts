import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PluginHttpResponse, PluginRoute } from '../../plugin-api.ts';
import type { LoginDeps } from './deps.ts';
import { pickLocale } from '../../web/i18n.ts';
import { sendPage } from '../../web/pages.ts';
import { clientOf } from '../../web/session-cookie.ts';

/** Mounts each plugin's own routes (callbacks, sandbox pages) under `/_sekisho/`. */
export function registerPluginRoutes(app: FastifyInstance, gateway: LoginDeps): void {
  for (const { plugin, method } of gateway.methods.values()) {
    for (const route of method.routes ?? []) {
      const url = `/_sekisho/${route.path}`;
      const limit = route.rateLimit;
      app.route({
        method: route.method,
        url,
        ...(limit
          ? { config: { rateLimit: { max: limit.max, timeWindow: limit.windowSeconds * 1000 } } }
          : {}),
        // A `:secret` segment (a callback's shared secret) never reaches the logs.
        ...(url.includes('/:secret') ? { logSerializers: { req: redactedRequest(url) } } : {}),
        handler: async (request, reply) => {
          const response = await route.handle(pluginRequest(request));
          return sendPluginResponse(request, reply, response, plugin.messages[pickLocale(request)]);
        },
      });
    }
  }
}

/** Logs a request to `url` (a route pattern) with its `:secret` segments replaced. */
function redactedRequest(url: string) {
  const secret = url.split('/').map((segment) => segment === ':secret');
  return (req: { id: string; method: string; url: string; ip?: string }) => ({
    id: req.id,
    method: req.method,
    path: (req.url.split('?')[0] ?? '')
      .split('/')
      .map((segment, i) => (secret[i] ? '[redacted]' : segment))
      .join('/'),
    ip: req.ip,
  });
}

function pluginRequest(request: FastifyRequest): Parameters<PluginRoute['handle']>[0] {
  return {
    params: (request.params ?? {}) as Record<string, string>,
    query: (request.query ?? {}) as Record<string, string | undefined>,
    body: request.body,
    headers: request.headers,
    client: clientOf(request),
  };
}

function sendPluginResponse(
  request: FastifyRequest,
  reply: FastifyReply,
  response: PluginHttpResponse,
  pt: Readonly<Record<string, string>>,
) {
  if ('json' in response)
    return reply.code(response.status).header('cache-control', 'no-store').send(response.json);
  return sendPage(request, reply, response.status, response.view.template, () => response.title, {
    data: response.view.data,
    pt,
  });
}
