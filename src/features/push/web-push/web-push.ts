/**
 * Web Push in the push service: registering a device's subscription (only for allowed
 * endpoints), and sending a login's notification to every live device of the user. Sends run in
 * parallel and in the background: `start` never waits for a push service, so a slow one cannot
 * delay the wait page. What a notification carries is enough to show it (who, from where, which
 * app) and nothing that approves: no number, no challenge, no token.
 */
import type pg from 'pg';
import {
  isAllowedEndpoint,
  parseEndpointPrefix,
  type EndpointPrefix,
} from '../../../domain/push/push-endpoints.ts';
import type { KeyStore } from '../../../ports/key-store.ts';
import { fill } from '../../../web/i18n/catalogue.ts';
import { pushScriptCatalogue } from '../page-messages.ts';
import type { PushContext } from '../context.ts';
import type { TransactionRecord } from '../transactions.ts';
import { WebPushSender, type SendResult } from './sender.ts';
import { PgSubscriptionRepository, type WebPushSubscription } from './subscription-repository.ts';
import { resolveVapidKeys, vapidSubject, type VapidKeys } from './vapid-keys.ts';

/** What a push service tells the service worker; nothing in it approves a login. */
export interface PushMessage {
  readonly type: 'login' | 'test' | 'notice';
  readonly title: string;
  readonly body: string;
  /** Collapses repeated notifications of one push (the transaction ID; not a secret). */
  readonly tag: string;
  readonly url: string;
  readonly expiresAt?: number;
}

const APP_URL = '/_sekisho/push/app';

export class WebPush {
  readonly subscriptions: PgSubscriptionRepository;
  private readonly ctx: PushContext;
  private readonly keyStore: KeyStore;
  private readonly allowed: readonly EndpointPrefix[];
  private sender: Promise<{ sender: WebPushSender; keys: VapidKeys }> | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(ctx: PushContext, pool: pg.Pool, keyStore: KeyStore) {
    this.ctx = ctx;
    this.keyStore = keyStore;
    this.subscriptions = new PgSubscriptionRepository(pool);
    this.allowed = ctx.settings.webPush.allowedEndpoints.flatMap((entry) => {
      const parsed = parseEndpointPrefix(entry);
      return parsed.ok ? [parsed.prefix] : [];
    });
  }

  /** The VAPID public key browsers subscribe with (made on first use if not configured). */
  async publicKey(): Promise<string> {
    return (await this.ready()).keys.publicKey;
  }

  isAllowed(endpoint: string): boolean {
    return isAllowedEndpoint(endpoint, this.allowed);
  }

  /** Sends the login to every live device's subscription, in the background. */
  sendLogin(tx: TransactionRecord): void {
    this.track(this.deliverLogin(tx));
  }

  /** Sends one test notification to the device and waits for the push service's answer. */
  async sendTest(subscription: WebPushSubscription, userId: string): Promise<SendResult> {
    const m = pushScriptCatalogue[subscription.locale];
    const message: PushMessage = {
      type: 'test',
      title: m.testPushTitle,
      body: m.testPushBody,
      tag: 'test',
      url: APP_URL,
    };
    return this.deliver(subscription, userId, message, 60, null);
  }

  /**
   * Tells every live device of the user that a login from a new environment happened; true when
   * at least one push service took it. Nothing in it approves anything.
   */
  async sendNotice(userId: string, notice: { ip: string; browser: string; at: number }): Promise<boolean> {
    const subscriptions = await this.subscriptions.listLive(userId);
    const results = await Promise.all(
      subscriptions.map((s) => {
        const m = pushScriptCatalogue[s.locale];
        const message: PushMessage = {
          type: 'notice',
          title: m.noticeTitle,
          body: fill(m.noticeBody, { user: userId, browser: notice.browser, ip: notice.ip }),
          tag: `notice-${notice.at}`,
          url: APP_URL,
        };
        return this.deliver(s, userId, message, 24 * 3600, null);
      }),
    );
    return results.some((result) => result.outcome === 'delivered');
  }

  /** Waits for the sends under way (so a closing gateway does not cut them), then closes. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    // Closing runs twice (the server's preClose, then the runtime): the second finds nothing.
    const opened = this.sender;
    this.sender = null;
    if (opened) await (await opened.catch(() => null))?.sender.close();
  }

  private async deliverLogin(tx: TransactionRecord): Promise<void> {
    const subscriptions = await this.subscriptions.listLive(tx.userId);
    const ttl = Math.min(
      Math.ceil((tx.expiresAt - this.ctx.clock.now()) / 1000),
      this.ctx.settings.requestTtlSeconds,
    );
    if (ttl < 1) return;
    await Promise.all(
      subscriptions.map((s) => this.deliver(s, tx.userId, loginMessage(tx, s.locale), ttl, tx.id)),
    );
  }

  private async deliver(
    subscription: WebPushSubscription,
    userId: string,
    message: PushMessage,
    ttlSeconds: number,
    transactionId: string | null,
  ): Promise<SendResult> {
    let result: SendResult;
    try {
      const { sender } = await this.ready();
      result = await sender.send(subscription, message, ttlSeconds);
      if (result.outcome === 'gone')
        await this.subscriptions.removeEndpoint(subscription.deviceId, subscription.endpoint);
    } catch (error) {
      this.ctx.log.error({ err: error, deviceId: subscription.deviceId }, 'web push not sent');
      result = { outcome: 'failed', reason: 'error' };
    }
    await this.audit(subscription, userId, result, transactionId, message.type);
    return result;
  }

  private async audit(
    subscription: WebPushSubscription,
    userId: string,
    result: SendResult,
    transactionId: string | null,
    type: PushMessage['type'],
  ): Promise<void> {
    // The push service's host only: the endpoint's path is the subscription's capability.
    const pushService = new URL(subscription.endpoint).host;
    const detail = { deviceId: subscription.deviceId, pushService, type, transactionId, ...statusOf(result) };
    const fine = result.outcome === 'delivered' || result.outcome === 'gone';
    if (!fine) this.ctx.log.warn({ user: userId, ...detail, outcome: result.outcome }, 'web push failed');
    try {
      await this.ctx.audit({
        event: `push.webpush_${result.outcome}`,
        outcome: fine ? 'info' : 'failure',
        userId,
        actor: 'gateway',
        detail,
      });
    } catch (error) {
      this.ctx.log.error({ err: error }, 'web push audit row not written');
    }
  }

  private ready(): Promise<{ sender: WebPushSender; keys: VapidKeys }> {
    this.sender ??= (async () => {
      const settings = this.ctx.settings.webPush;
      const keys = await resolveVapidKeys(settings, this.keyStore);
      const subject = vapidSubject(settings, this.ctx.publicUrl);
      const options = {
        subject,
        keys,
        allowed: this.allowed,
        timeoutMs: settings.timeoutMs,
        proxy: settings.proxy,
      };
      return { sender: new WebPushSender(options, this.ctx.store, this.ctx.clock), keys };
    })();
    this.sender.catch(() => (this.sender = null));
    return this.sender;
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error) => this.ctx.log.error({ err: error }, 'web push not sent'));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }
}

function loginMessage(tx: TransactionRecord, locale: 'ja' | 'en'): PushMessage {
  const m = pushScriptCatalogue[locale];
  const vars: Record<string, string> = {
    user: tx.userId,
    path: tx.path,
    browser: tx.client.browser,
    ip: tx.client.ip,
  };
  const body = (tx.unknownEnvironment ? `${m.pushUnknownEnvironment} ` : '') + fill(m.pushBody, vars);
  return {
    type: 'login',
    title: m.notificationTitle,
    body,
    tag: tx.id,
    url: APP_URL,
    expiresAt: tx.expiresAt,
  };
}

function statusOf(result: SendResult): Record<string, string | number> {
  if (result.status !== undefined) return { status: result.status };
  return result.reason ? { reason: result.reason } : {};
}
