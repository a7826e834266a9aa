/**
 * What every part of the push service works with: the store, the clock, the `push` settings,
 * the device repository, the inbox waiter, and one way to audit.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.ts';
import type { PushConfig } from '../../config/push-schema.ts';
import type { AuditEvent, AuditLog } from '../../ports/audit.ts';
import type { Clock } from '../../ports/clock.ts';
import type { KeyValueStore } from '../../ports/key-value-store.ts';
import type { PubSub } from '../../ports/pub-sub.ts';
import type { RateCounter } from '../../ports/rate-counter.ts';
import type { SetStore } from '../../ports/set-store.ts';
import type { PgDeviceRepository } from './device-repository.ts';
import type { InboxWaiter } from './inbox-waiter.ts';
import type { KeyStore } from '../../ports/key-store.ts';
import type { WebPush } from './web-push/web-push.ts';

/**
 * The parts of the store the push service uses: transactions and markers as values, inboxes and
 * known environments as sets, the per-user request rate, and the inbox wake-ups.
 */
export type PushStore = KeyValueStore & SetStore & RateCounter & PubSub;

/** What `createPushService` is given. */
export interface PushServiceDeps {
  readonly pool: pg.Pool;
  readonly store: PushStore;
  readonly clock: Clock;
  readonly config: Config;
  /** The server secret: tokens and known-environment entries are HMACs under it. */
  readonly secret: string;
  readonly audit: AuditLog;
  readonly log: Logger;
  /** Where the VAPID key pair is kept when the config gives none; without it Web Push is off. */
  readonly keys?: KeyStore;
}

export interface PushContext {
  readonly pool: pg.Pool;
  readonly store: PushStore;
  readonly clock: Clock;
  readonly settings: PushConfig;
  readonly publicUrl: string;
  readonly secret: string;
  readonly log: Logger;
  readonly devices: PgDeviceRepository;
  readonly waiter: InboxWaiter;
  /** Web Push to the devices' browsers (`push.webPush`), or null when off. */
  readonly webPush: WebPush | null;
  /** Records an audit row (the gateway's audit log also logs it); never pass a token, code, challenge or signature. */
  audit(event: AuditEvent): Promise<void>;
}

/** Who a device or browser is, for audit rows. */
export interface ClientInfo {
  readonly ip: string;
  readonly userAgent: string;
}
