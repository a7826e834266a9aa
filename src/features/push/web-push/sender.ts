/**
 * Sends one Web Push message: web-push builds the request (RFC 8291 aes128gcm payload, RFC 8292
 * VAPID header), undici posts it — through the configured proxy if any (except to hosts NO_PROXY
 * names), never following a redirect, within a short timeout — and the answer becomes an outcome. Only endpoints under
 * `allowedEndpoints` are ever contacted; a push service that asked for a pause (429) is left
 * alone until its Retry-After has passed.
 */
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { isAllowedEndpoint, type EndpointPrefix } from '../../../domain/push/push-endpoints.ts';
import type { Clock } from '../../../ports/clock.ts';
import type { KeyValueStore } from '../../../ports/key-value-store.ts';
import type { WebPushSubscription } from './subscription-repository.ts';
import { webPushLibrary, type VapidKeys } from './vapid-keys.ts';

export type SendOutcome = 'delivered' | 'gone' | 'throttled' | 'deferred' | 'refused' | 'failed';

export interface SendResult {
  readonly outcome: SendOutcome;
  /** The push service's HTTP status, when it answered. */
  readonly status?: number;
  /** Why a send failed without an answer (`timeout`, `ECONNREFUSED`, …). */
  readonly reason?: string;
}

export interface SenderSettings {
  readonly subject: string;
  readonly keys: VapidKeys;
  readonly allowed: readonly EndpointPrefix[];
  readonly timeoutMs: number;
  readonly proxy?: string;
}

/**
 * The configured proxy for every push service but those `NO_PROXY` (or `no_proxy`) names, as curl
 * reads it: a host, a domain with its subdomains (`example.com`, `.example.com`, `*.example.com`),
 * either with `:port`, or `*` for every host. undici reads that variable itself, at each request,
 * like the proxy-aware programs beside the gateway; the proxy itself is only ever the configured one.
 */
function proxyAgent(proxy: string): Dispatcher {
  return new EnvHttpProxyAgent({ httpProxy: proxy, httpsProxy: proxy });
}

/** The longest pause a 429 can ask for. */
const MAX_RETRY_AFTER_MS = 3_600_000;
const DEFAULT_RETRY_AFTER_MS = 60_000;

export class WebPushSender {
  private readonly settings: SenderSettings;
  private readonly store: KeyValueStore;
  private readonly clock: Clock;
  private readonly dispatcher: Dispatcher;

  constructor(settings: SenderSettings, store: KeyValueStore, clock: Clock) {
    this.settings = settings;
    this.store = store;
    this.clock = clock;
    this.dispatcher = settings.proxy ? proxyAgent(settings.proxy) : new Agent();
  }

  isAllowed(endpoint: string): boolean {
    return isAllowedEndpoint(endpoint, this.settings.allowed);
  }

  async send(subscription: WebPushSubscription, payload: object, ttlSeconds: number): Promise<SendResult> {
    // Checked again at every send: a list narrowed since the registration holds at once.
    if (!this.isAllowed(subscription.endpoint)) return { outcome: 'refused' };
    const pauseKey = `push:webpush:pause:${new URL(subscription.endpoint).origin}`;
    if ((await this.store.read(pauseKey)) !== null) return { outcome: 'deferred' };
    const webpush = await webPushLibrary();
    const details = webpush.generateRequestDetails(
      { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
      JSON.stringify(payload),
      {
        vapidDetails: { subject: this.settings.subject, ...this.settings.keys },
        TTL: Math.max(1, Math.floor(ttlSeconds)),
        urgency: 'high',
        contentEncoding: 'aes128gcm',
      },
    );
    const headers = Object.fromEntries(Object.entries(details.headers).map(([k, v]) => [k, String(v)]));
    let status: number;
    let retryAfter: string | undefined;
    try {
      const response = await request(subscription.endpoint, {
        method: 'POST',
        headers,
        body: details.body ?? undefined,
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      status = response.statusCode;
      const header = response.headers['retry-after'];
      retryAfter = Array.isArray(header) ? header[0] : header;
      await response.body.dump();
    } catch (error) {
      const err = error as NodeJS.ErrnoException;
      const reason =
        err.name === 'TimeoutError' || err.name === 'AbortError' ? 'timeout' : (err.code ?? 'error');
      return { outcome: 'failed', reason };
    }
    if (status >= 200 && status < 300) return { outcome: 'delivered', status };
    if (status === 404 || status === 410) return { outcome: 'gone', status };
    if (status === 429) {
      await this.store.put(pauseKey, '1', this.retryAfterMs(retryAfter));
      return { outcome: 'throttled', status };
    }
    // Redirects (3xx) are not followed: a push service has no reason to send one.
    return { outcome: 'failed', status };
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** Retry-After as seconds or an HTTP date; at least 1 s, at most an hour. */
  private retryAfterMs(value: string | undefined): number {
    if (value === undefined) return DEFAULT_RETRY_AFTER_MS;
    const ms = /^\d+$/.test(value.trim())
      ? Number(value.trim()) * 1000
      : Date.parse(value) - this.clock.now();
    if (!Number.isFinite(ms)) return DEFAULT_RETRY_AFTER_MS;
    return Math.min(Math.max(ms, 1000), MAX_RETRY_AFTER_MS);
  }
}
