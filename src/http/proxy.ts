import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import proxy, { type FastifyHttpProxyOptions } from '@fastify/http-proxy';
import type { BackendConfig } from '../config/schema.ts';
import { backendHeaders, type HeaderPolicy } from './identity-headers.ts';
import type { Gateway } from './gateway.ts';
import { sendMessage, wantsHtml } from './pages.ts';

/** What header rewriting reads of a request (reply-from types it loosely, HTTP/2 included). */
interface ForwardingRequest {
  readonly headers: IncomingHttpHeaders;
  readonly ip: string;
  readonly protocol: string;
  readonly gatewaySession: FastifyRequest['gatewaySession'];
}

type WsClientOptions = NonNullable<FastifyHttpProxyOptions['wsClientOptions']>;

/** The reply type reply-from hands to onError (it allows HTTP/2 replies, which we never serve). */
type ProxyReply = Parameters<NonNullable<NonNullable<FastifyHttpProxyOptions['replyOptions']>['onError']>>[0];

/**
 * One proxy per backend at `/<name>/`: bodies stream both ways, keep-alive undici pools,
 * identity headers set only after every inbound copy is removed.
 */
export async function registerBackends(app: FastifyInstance, gateway: Gateway, policy: HeaderPolicy) {
  for (const [name, backend] of Object.entries(gateway.config.backends)) {
    await app.register(async (scope) => {
      scope.addHook('onResponse', async (_request, reply) => {
        gateway.metrics.upstream.observe(
          { backend: name, status: String(reply.statusCode) },
          reply.elapsedTime / 1000,
        );
      });
      await scope.register(proxy, backendOptions(gateway, policy, name, backend));
    });
  }
}

function backendOptions(gateway: Gateway, policy: HeaderPolicy, name: string, backend: BackendConfig) {
  const upstream = new URL(backend.url);
  const basePath = upstream.pathname.replace(/\/+$/, '');
  const forward = (request: ForwardingRequest) =>
    backendHeaders(request.headers, policy, request.gatewaySession?.data ?? null, {
      clientIp: request.ip,
      protocol: request.protocol,
      host: request.headers.host ?? '',
    });
  // The plugin reads `rewriteRequestHeaders` here at run time; its typings omit it.
  const wsClientOptions: WsClientOptions & {
    rewriteRequestHeaders: (_headers: unknown, request: ForwardingRequest) => IncomingHttpHeaders;
  } = {
    rewriteRequestHeaders: (_headers, request) => forward(request),
  };
  return {
    upstream: upstream.origin,
    prefix: `/${name}`,
    rewritePrefix: basePath,
    websocket: true as const,
    wsClientOptions,
    undici: {
      connections: 128,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: backend.timeoutMs,
      bodyTimeout: backend.timeoutMs,
      connect: { timeout: backend.connectTimeoutMs },
    },
    replyOptions: {
      rewriteRequestHeaders: (request: ForwardingRequest) => forward(request),
      rewriteHeaders: (headers: IncomingHttpHeaders) => mapResponseHeaders(headers, upstream, basePath, name),
      onError: (reply: ProxyReply, { error }: { error: Error & { statusCode?: number; code?: string } }) =>
        void upstreamFailed(reply as unknown as FastifyReply, name, error),
    },
  };
}

/** Headers that describe the backend connection only (RFC 9110 §7.6.1); never relayed to the client. */
const hopByHop = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
];

/** Backend redirects and cookie paths are mapped back under `/<name>/`; hop-by-hop headers are dropped. */
function mapResponseHeaders(headers: IncomingHttpHeaders, upstream: URL, basePath: string, name: string) {
  const listed = typeof headers.connection === 'string' ? headers.connection.split(',') : [];
  for (const header of [...hopByHop, ...listed]) delete headers[header.trim().toLowerCase()];
  const location = headers.location;
  if (typeof location === 'string' && location.startsWith(upstream.origin)) {
    headers.location = mapPath(location.slice(upstream.origin.length) || '/', basePath, name);
  }
  const cookies = headers['set-cookie'];
  if (cookies) {
    const list = Array.isArray(cookies) ? cookies : [cookies];
    headers['set-cookie'] = list.map((cookie) => mapCookie(cookie, basePath, name));
  }
  return headers;
}

function mapPath(path: string, basePath: string, name: string): string {
  const rest = basePath && path.startsWith(basePath) ? path.slice(basePath.length) : path;
  return `/${name}${rest.startsWith('/') ? rest : `/${rest}`}`;
}

function mapCookie(cookie: string, basePath: string, name: string): string {
  const parts = cookie.split(';').filter((part) => !/^\s*domain\s*=/i.test(part));
  const pathIndex = parts.findIndex((part) => /^\s*path\s*=/i.test(part));
  const path = pathIndex === -1 ? '/' : (parts[pathIndex] ?? '').split('=')[1]?.trim() || '/';
  const mapped = ` Path=${mapPath(path, basePath, name)}`;
  if (pathIndex === -1) parts.push(mapped);
  else parts[pathIndex] = mapped;
  return parts.join(';');
}

function upstreamFailed(
  reply: FastifyReply,
  name: string,
  error: Error & { statusCode?: number; code?: string },
) {
  const timedOut = error.statusCode === 504 || /TIMEOUT/i.test(error.code ?? '');
  const status = timedOut ? 504 : 502;
  const request = reply.request;
  request.log.warn({ backend: name, code: error.code, message: error.message }, 'upstream failed');
  if (!wantsHtml(request))
    return reply.code(status).send({ error: timedOut ? 'gateway_timeout' : 'bad_gateway' });
  return sendMessage(request, reply, {
    status,
    message: (t) => (timedOut ? t.gatewayTimeout : t.badGateway),
  });
}
