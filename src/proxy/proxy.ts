import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import proxy, { type FastifyHttpProxyOptions } from '@fastify/http-proxy';
import type { Config } from '../config/schema.ts';
import type { ClientAddress } from '../pipeline/client-address.ts';
import type { RequestPipeline } from '../pipeline/pipeline.ts';
import { backendHeaderObject, type HeaderPolicy } from './identity-headers.ts';
import type { Gateway } from '../core/gateway.ts';
import type { GatewayMetrics } from '../metrics/metrics.ts';
import { createLeanProxy, type RequestListener } from './lean-proxy.ts';
import { OpenUpgrades } from './open-upgrades.ts';
import { sendMessage, wantsHtml } from '../web/pages.ts';
import { mapResponseHeaders } from './response-headers.ts';
import {
  closeUpstreamPools,
  createUpstreamPools,
  upstreamPath,
  type Upstream,
  type UpstreamPools,
} from './upstream-pools.ts';

/** What header rewriting reads of a request (reply-from types it loosely, HTTP/2 included). */
interface ForwardingRequest {
  readonly headers: IncomingHttpHeaders;
  readonly raw: { readonly socket: { readonly remoteAddress?: string } };
  readonly protocol: string;
  readonly gatewaySession: FastifyRequest['gatewaySession'];
  readonly gatewayAssertion: FastifyRequest['gatewayAssertion'];
}

type WsClientOptions = NonNullable<FastifyHttpProxyOptions['wsClientOptions']>;
type ReplyFromOptions = Parameters<FastifyReply['from']>[1];

/** The reply type reply-from hands to onError (it allows HTTP/2 replies, which we never serve). */
type ProxyReply = Parameters<NonNullable<NonNullable<FastifyHttpProxyOptions['replyOptions']>['onError']>>[0];

/**
 * The proxy side of the gateway: one keep-alive undici pool per backend, the lean path in
 * front of Fastify for allowed requests (see lean-proxy.ts), and the Fastify proxy routes
 * behind it for everything the lean path hands over (websockets included).
 */
export class Proxying {
  private readonly gateway: Gateway;
  private readonly pools: UpstreamPools;
  private readonly upgrades: OpenUpgrades;
  private lean: ReturnType<typeof createLeanProxy> | null = null;

  private readonly pipeline: RequestPipeline;

  constructor(gateway: Gateway, pipeline: RequestPipeline) {
    this.gateway = gateway;
    this.pipeline = pipeline;
    this.pools = createUpstreamPools(gateway.config.backends);
    this.upgrades = new OpenUpgrades(
      (hash) => gateway.sessions.isLive(hash),
      (error) => {
        gateway.metrics.storeErrors.inc({ store: 'session' });
        gateway.log.warn({ err: error }, 'websocket session check failed; closing (fail closed)');
      },
    );
  }

  /** Fastify's `serverFactory`: our node:http server, its timeouts, the lean path first. */
  readonly serverFactory = (handler: RequestListener): Server =>
    createGatewayServer(this.gateway.config.server, (request, response) => {
      if (this.lean) this.lean(request, response, handler);
      else handler(request, response);
    });

  /** Registers the Fastify proxy routes and turns the lean path on. */
  async register(app: FastifyInstance, policy: HeaderPolicy): Promise<void> {
    app.decorateRequest('gatewayAssertion', null);
    await registerBackends(
      app,
      this.gateway.metrics,
      this.pipeline.client,
      policy,
      this.pools,
      this.upgrades,
    );
    app.addHook('preClose', async () => closeConnectionsWhenIdle(app.server));
    app.addHook('onClose', async () => {
      this.upgrades.stop();
      await closeUpstreamPools(this.pools);
    });
    if (this.gateway.config.proxy.leanPath)
      this.lean = createLeanProxy(this.gateway, this.pipeline, policy, this.pools);
  }
}

/**
 * Slow clients cannot hold the gateway (`server.*`): headers must arrive within `headersTimeoutMs` (checked
 * every second at most), the whole request within `requestTimeoutMs`; idle keep-alive sockets
 * close after `keepAliveTimeoutMs`.
 */
function createGatewayServer(limits: Config['server'], listener: RequestListener): Server {
  const requestTimeout = limits.requestTimeoutMs;
  const headersTimeout =
    requestTimeout > 0 ? Math.min(limits.headersTimeoutMs, requestTimeout) : limits.headersTimeoutMs;
  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      connectionsCheckingInterval: Math.min(1000, headersTimeout),
    },
    listener,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  return server;
}

/** While the server closes, how often connections that have gone idle are ended. */
const idleSweepMs = 100;

/**
 * Node's `server.close()` ends only the connections idle at that moment: one still serving a
 * request stays open in keep-alive afterwards (`keepAliveTimeoutMs`, 72 s by default) and holds
 * the close, so a graceful shutdown ran into its grace period and exited 1. While closing, every
 * connection is therefore ended as soon as its last request is done.
 */
function closeConnectionsWhenIdle(server: Server): void {
  if (!server.listening) return;
  const sweep = setInterval(() => server.closeIdleConnections(), idleSweepMs);
  sweep.unref();
  server.once('close', () => clearInterval(sweep));
}

/**
 * One proxy route per backend at `/<name>/` (for what the lean path hands over, and websockets):
 * bodies stream both ways, identity headers set only after every inbound copy is removed.
 */
async function registerBackends(
  app: FastifyInstance,
  metrics: GatewayMetrics,
  client: ClientAddress,
  policy: HeaderPolicy,
  pools: UpstreamPools,
  upgrades: OpenUpgrades,
) {
  for (const [name, target] of pools) {
    await app.register(async (scope) => {
      scope.addHook('onResponse', async (_request, reply) => {
        const { upstream } = metrics;
        upstream.observe(
          upstream.cell({ backend: name, status: String(reply.statusCode) }),
          reply.elapsedTime / 1000,
        );
      });
      await scope.register(proxy, {
        ...backendOptions(policy, client, name, target),
        // A websocket lives on after the upgrade: it is closed when its session ends.
        preHandler: async (request: FastifyRequest) => {
          const session = request.gatewaySession;
          if (session && request.headers.upgrade !== undefined)
            upgrades.track(request.raw.socket, session.hash);
        },
      });
    });
  }
}

function backendOptions(policy: HeaderPolicy, client: ClientAddress, name: string, target: Upstream) {
  const { url: upstream, basePath, pool } = target;
  const forward = (request: ForwardingRequest) =>
    backendHeaderObject(
      request.headers,
      policy,
      request.gatewaySession?.data ?? null,
      {
        peer: request.raw.socket.remoteAddress ?? '',
        peerTrusted: client.peerTrusted(request.raw),
        protocol: client.protocol(request.raw as IncomingMessage),
        host: request.headers.host ?? '',
      },
      request.gatewayAssertion,
    );
  // The plugin reads `rewriteRequestHeaders` here at run time; its typings omit it.
  const wsClientOptions: WsClientOptions & {
    rewriteRequestHeaders: (_headers: unknown, request: ForwardingRequest) => IncomingHttpHeaders;
  } = {
    rewriteRequestHeaders: (_headers, request) => forward(request),
  };
  return {
    upstream: upstream.origin,
    prefix: `/${name}`,
    // The target is computed as on the lean path, from the canonical URL (rewriteUrl made it),
    // not by the plugin's prefix stripping: both carriers send the backend the same request line.
    // The query is added by replyOptions.queryString, never parsed or decoded on the way.
    handler: (request: FastifyRequest, reply: FastifyReply, _dest: string, options: ReplyFromOptions) =>
      reply.from(upstreamPath(target, name, request.url.split('?', 1)[0] ?? '/'), options),
    rewritePrefix: basePath,
    websocket: true as const,
    // Location is mapped once, by mapResponseHeaders (the plugin's own rewrite would map it twice).
    internalRewriteLocationHeader: false,
    wsClientOptions,
    // The backend's pool, with its timeouts (upstream-pools.ts), shared with the lean path.
    undici: pool as unknown as NonNullable<FastifyHttpProxyOptions['undici']>,
    replyOptions: {
      // The canonical query byte for byte, as the lean path sends it (the plugin would re-encode
      // it: `q=a+b&flag` arrived as `q=a%20b&flag=`).
      queryString: (_search: string | undefined, url: string) => queryOf(url),
      rewriteRequestHeaders: (request: ForwardingRequest) => forward(request),
      rewriteHeaders: (headers: IncomingHttpHeaders) =>
        mapResponseHeaders(headers, upstream, basePath, name, policy.gatewayCookies),
      onError: (reply: ProxyReply, { error }: { error: Error & { statusCode?: number; code?: string } }) =>
        void upstreamFailed(reply as unknown as FastifyReply, name, error),
    },
  };
}

/** The query string of a (canonical) request URL without its `?`; empty when there is none. */
function queryOf(url: string): string {
  const mark = url.indexOf('?');
  return mark === -1 ? '' : url.slice(mark + 1);
}

/** A backend that is down gives a 502 page (or JSON), one slower than its timeout a 504. */
export function upstreamFailed(
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
