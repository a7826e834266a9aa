/**
 * Web Push subscriptions in Postgres (`push_subscriptions`): one per device, the live devices'
 * ones listed for a send. Times come from the caller's clock.
 */
import type pg from 'pg';

export interface WebPushSubscription {
  readonly deviceId: string;
  readonly endpoint: string;
  /** The browser's P-256 ECDH public key, uncompressed, base64url. */
  readonly p256dh: string;
  /** The 16-byte auth secret, base64url. */
  readonly auth: string;
  /** The language the notification is written in (the authenticator page's). */
  readonly locale: 'ja' | 'en';
}

export class PgSubscriptionRepository {
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  /** Registers or replaces the device's subscription. */
  async save(subscription: WebPushSubscription, at: Date): Promise<void> {
    const { deviceId, endpoint, p256dh, auth, locale } = subscription;
    await this.pool.query(
      `INSERT INTO push_subscriptions (device_id, endpoint, p256dh, auth, locale, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6)
       ON CONFLICT (device_id) DO UPDATE
       SET endpoint = $2, p256dh = $3, auth = $4, locale = $5, updated_at = $6`,
      [deviceId, endpoint, p256dh, auth, locale, at],
    );
  }

  /** Removes the device's subscription; true when there was one. */
  async remove(deviceId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM push_subscriptions WHERE device_id = $1', [
      deviceId,
    ]);
    return (rowCount ?? 0) > 0;
  }

  /** Removes the subscription only if it still has this endpoint (a push service said it is gone). */
  async removeEndpoint(deviceId: string, endpoint: string): Promise<void> {
    await this.pool.query('DELETE FROM push_subscriptions WHERE device_id = $1 AND endpoint = $2', [
      deviceId,
      endpoint,
    ]);
  }

  async find(deviceId: string): Promise<WebPushSubscription | null> {
    const { rows } = await this.pool.query<Row>(
      `SELECT s.* FROM push_subscriptions s JOIN push_devices d ON d.id = s.device_id
       WHERE s.device_id = $1 AND d.revoked_at IS NULL`,
      [deviceId],
    );
    return rows[0] ? toSubscription(rows[0]) : null;
  }

  /** The subscriptions of the user's live devices. */
  async listLive(userId: string): Promise<WebPushSubscription[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT s.* FROM push_subscriptions s JOIN push_devices d ON d.id = s.device_id
       WHERE d.user_id = $1 AND d.revoked_at IS NULL ORDER BY s.device_id`,
      [userId],
    );
    return rows.map(toSubscription);
  }
}

interface Row {
  device_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  locale: string;
}

function toSubscription(row: Row): WebPushSubscription {
  return {
    deviceId: row.device_id,
    endpoint: row.endpoint,
    p256dh: row.p256dh,
    auth: row.auth,
    locale: row.locale === 'en' ? 'en' : 'ja',
  };
}
