import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher, Pool } from 'undici';
import type { StoredSession } from '../ports/store.ts';
import { hasBody, isBodyRefused } from '../pipeline/canonical-target.ts';
import type { Located } from '../pipeline/classify.ts';
import type { RequestPipeline } from '../pipeline/pipeline.ts';
import type { SessionOutcome } from '../pipeline/session-reader.ts';
import type { Gateway } from '../core/gateway.ts';
import { backendHeaders, type HeaderPolicy } from './identity-headers.ts';
import type { HistogramCell, Tally } from '../metrics/hot-metrics.ts';
import { mapResponseHeaders } from './response-headers.ts';
import { upstreamPath, type UpstreamPools } from './upstream-pools.ts';

export type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/** Set on a request the lean path hands to Fastify after its backend failed: the gate renders the 502/504 page. */
export const upstreamFailure = Symbol('sekisho.upstreamFailure');

export interface UpstreamFailure {
  readonly backend: string;
  readonly error: Error & { statusCode?: number; code?: string };
}

/**
 * Set on a request the lean path read the session for and then handed to Fastify (it needs a
 * login, a further method, or is refused): the gate decides with it instead of reading again.
 */
export const sessionRead = Symbol('sekisho.sessionRead');

export interface SessionRead {
  /** The cookie value the session was read for. */
  readonly token: string | undefined;
  /** What the read came to (a failed store was already reported). */
  readonly outcome: SessionOutcome;
}

declare module 'node:http' {
  interface IncomingMessage {
    [upstreamFailure]?: UpstreamFailure;
    [sessionRead]?: SessionRead;
  }
}

interface LeanBackend {
  readonly name: string;
  readonly upstream: URL;
  readonly basePath: string;
  readonly pool: Pool;
  /** The gateway's cookie names (the policy's set): a backend may not set them. */
  readonly gatewayCookies: ReadonlySet<string>;
  /** Its latency histogram's cells, by response status. */
  readonly latency: Map<number, HistogramCell>;
}

/** A request the rules let reach a backend (given the session). */
type ProxiedLocated = Extract<Located, { kind: 'located' | 'bypass' }>;

/**
 * The hot path in front of Fastify: a request that is for a backend and allowed (an allowing
 * rule and a fresh session, or a BYPASS rule) is proxied straight from node:http to the
 * backend's undici pool — the path normalised once, the rule found once, the session read
 * from the in-process cache when fresh, the headers rewritten once, the bodies streamed with
 * backpressure. Everything else (the gateway's own pages, refusals, redirects to login, 503
 * while not ready, 502/504 pages, websockets) goes to Fastify unchanged, which decides it
 * exactly as before. `fallback` is Fastify's request handler.
 */
export function createLeanProxy(
  gateway: Pick<Gateway, 'readiness' | 'metrics' | 'log' | 'assertions'>,
  pipeline: RequestPipeline,
  policy: HeaderPolicy,
  pools: UpstreamPools,
) {
  const backends = new Map<string, LeanBackend>();
  for (const [name, { url: upstream, basePath, pool }] of pools) {
    backends.set(name, {
      name,
      upstream,
      basePath,
      pool,
      gatewayCookies: policy.gatewayCookies,
      latency: new Map(),
    });
  }
  const { classifier, client } = pipeline;
  const { metrics, log, assertions } = gateway;
  // Metric cells looked up once (per rule, per backend and status), then plain additions.
  const decisionTallies = new WeakMap<ProxiedLocated['rule'], Tally>();
  const countDecision = (decision: 'allow' | 'bypass', rule: ProxiedLocated['rule']) => {
    let tally = decisionTallies.get(rule);
    if (!tally)
      decisionTallies.set(rule, (tally = metrics.decisionTallies.tally({ decision, rule: rule.prefix })));
    tally.pending++;
  };
  const observeLatency = (backend: LeanBackend, status: number, seconds: number) => {
    let cell = backend.latency.get(status);
    if (!cell)
      backend.latency.set(
        status,
        (cell = metrics.upstream.cell({ backend: backend.name, status: String(status) })),
      );
    metrics.upstream.observe(cell, seconds);
  };

  function forward(
    request: IncomingMessage,
    response: ServerResponse,
    backend: LeanBackend,
    target: string,
    identity: StoredSession | null,
    assertion: string | null,
    fallback: RequestListener,
  ): void {
    const started = performance.now();
    // Read while the socket is there: undici sets `request.socket` to null once it has
    // consumed a body, and the 'close' handler below runs after that.
    const ip = log.isLevelEnabled('info') ? client.ip(request) : '';
    const headers = backendHeaders(
      request.headers,
      policy,
      identity,
      {
        peer: request.socket.remoteAddress ?? '',
        peerTrusted: client.peerTrusted(request),
        protocol: client.protocol(request),
        host: request.headers.host ?? '',
      },
      assertion,
    );
    const handler = new ForwardHandler(request, response, backend, fallback);
    // `on`: 'close' comes once, and `once` would wrap the listener in two more objects per request.
    response.on('close', () => {
      // Guarded as {@link guarded} does, written out on the hot path (no closure per request).
      try {
        if (!response.writableFinished) return handler.abort();
        // A failed backend's 502/504 is answered, and counted, by the Fastify route.
        if (request[upstreamFailure]) return;
        const seconds = (performance.now() - started) / 1000;
        observeLatency(backend, response.statusCode, seconds);
        if (ip !== '') logCompleted(request, response, ip, seconds);
      } catch (error) {
        failed(request, response, error);
      }
    });
    backend.pool.dispatch(
      { method: request.method ?? 'GET', path: target, headers, body: hasBody(request) ? request : null },
      handler,
    );
  }

  function logCompleted(request: IncomingMessage, response: ServerResponse, ip: string, seconds: number) {
    log.info(
      {
        req: { id: randomUUID(), method: request.method, url: request.url ?? '', ip },
        res: { statusCode: response.statusCode },
        responseTime: seconds * 1000,
      },
      'request completed',
    );
  }

  /**
   * Runs one step of a request's handling outside any caller that would catch its error (an
   * event, a promise callback, setImmediate): a throw becomes a 500 and an error log line with
   * the error metric, never an uncaught exception that ends the process. The steps every proxied
   * request takes write the same try/catch out instead, which spares a closure per request.
   */
  function guarded(request: IncomingMessage, response: ServerResponse, step: () => void): void {
    try {
      step();
    } catch (error) {
      failed(request, response, error);
    }
  }

  function failed(request: IncomingMessage, response: ServerResponse, error: unknown): void {
    metrics.requestErrors.inc({ where: 'lean' });
    log.error({ err: error, req: { method: request.method, url: request.url } }, 'request failed');
    if (response.headersSent || response.destroyed) {
      response.destroy();
      return;
    }
    response.writeHead(500, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end('{"error":"internal"}');
  }

  /** The pipeline's verdict, carried out: forwarded here, or handed to Fastify with what was read. */
  function proceed(
    request: IncomingMessage,
    response: ServerResponse,
    fallback: RequestListener,
    located: ProxiedLocated,
    backend: LeanBackend,
    outcome: SessionOutcome,
    token: string | undefined,
  ): void {
    if (!outcome.ok) {
      request[sessionRead] = { token, outcome };
      return fallback(request, response);
    }
    const verdict = classifier.classify(located, outcome.session);
    if (verdict.kind !== 'forward') {
      request[sessionRead] = { token, outcome };
      return fallback(request, response);
    }
    countDecision(located.kind === 'bypass' ? 'bypass' : 'allow', located.rule);
    const target = upstreamPath(backend, backend.name, located.path) + located.query;
    const { identity } = verdict;
    if (!identity || !assertions)
      return forward(request, response, backend, target, identity, null, fallback);
    // A fresh token is reused without I/O; otherwise one signature, then the same forward.
    const fresh = assertions.cached(identity, backend.name);
    if (fresh !== undefined) return forward(request, response, backend, target, identity, fresh, fallback);
    assertions.assertion(identity, backend.name).then(
      (signed) =>
        guarded(request, response, () => {
          if (!response.destroyed) forward(request, response, backend, target, identity, signed, fallback);
        }),
      (error: unknown) => failed(request, response, error),
    );
  }

  return function leanProxy(
    request: IncomingMessage,
    response: ServerResponse,
    fallback: RequestListener,
  ): void {
    try {
      route(request, response, fallback);
    } catch (error) {
      failed(request, response, error);
    }
  };

  function route(request: IncomingMessage, response: ServerResponse, fallback: RequestListener): void {
    if (!gateway.readiness.isReady || isBodyRefused(request)) return fallback(request, response);
    // Not canonical: Fastify's rewriteUrl refuses it (400).
    const canonical = pipeline.target(request.url ?? '/');
    if (!canonical.ok) return fallback(request, response);
    const located = classifier.locate(canonical, request.headers.host ?? null, () =>
      pipeline.client.ip(request),
    );
    if (located.kind !== 'located' && located.kind !== 'bypass') return fallback(request, response);
    const backend = located.backend === null ? undefined : backends.get(located.backend);
    if (!backend) return fallback(request, response);
    if (!classifier.needsSession(located))
      return proceed(request, response, fallback, located, backend, noSession, undefined);
    const token = pipeline.sessionToken(request.headers.cookie);
    pipeline.sessions.read(token, (outcome) => {
      try {
        proceed(request, response, fallback, located, backend, outcome, token);
      } catch (error) {
        failed(request, response, error);
      }
    });
  }
}

const noSession: SessionOutcome = { ok: true, session: null };
/** Relays one backend response: headers mapped once, body streamed with backpressure both ways. */
class ForwardHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private aborted = false;
  private readonly request: IncomingMessage;
  private readonly response: ServerResponse;
  private readonly backend: LeanBackend;
  private readonly fallback: RequestListener;

  constructor(
    request: IncomingMessage,
    response: ServerResponse,
    backend: LeanBackend,
    fallback: RequestListener,
  ) {
    this.request = request;
    this.response = response;
    this.backend = backend;
    this.fallback = fallback;
  }

  /** The client went away: stop reading from the backend. */
  abort(): void {
    this.aborted = true;
    this.controller?.abort(new Error('client closed the connection'));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.aborted) controller.abort(new Error('client closed the connection'));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
  ): void {
    const { upstream, basePath, name, gatewayCookies } = this.backend;
    try {
      this.response.writeHead(status, mapResponseHeaders(headers, upstream, basePath, name, gatewayCookies));
    } catch (error) {
      // A header value Node refuses to send: the backend's answer is unusable (502).
      controller.abort(error instanceof Error ? error : new Error(String(error)));
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.response.write(chunk)) return;
    controller.pause();
    this.response.once('drain', () => controller.resume());
  }

  onResponseEnd(): void {
    this.response.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.aborted || this.response.destroyed) return;
    if (this.response.headersSent) {
      this.response.destroy(error);
      return;
    }
    this.request[upstreamFailure] = { backend: this.backend.name, error };
    this.fallback(this.request, this.response);
  }
}
