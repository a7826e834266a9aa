/**
 * Registered push devices in Postgres (`push_devices`). Times come from the caller's clock so
 * that fake clocks govern `created_at`, `last_seen_at` and `revoked_at` too.
 */
import type pg from 'pg';
import type { DevicePublicKey, PushDevice } from '../../ports/push-service.ts';

/** A device with the key its signatures are checked against. */
export interface StoredDevice extends PushDevice {
  readonly publicKey: DevicePublicKey;
}

export interface NewDevice {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly publicKey: DevicePublicKey;
  readonly createdAt: Date;
}

interface DeviceRow {
  id: string;
  user_id: string;
  name: string;
  public_key: DevicePublicKey;
  created_at: Date;
  last_seen_at: Date | null;
  revoked_at: Date | null;
}

export class PgDeviceRepository {
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async insert(device: NewDevice): Promise<void> {
    await this.pool.query(
      `INSERT INTO push_devices (id, user_id, name, public_key, created_at) VALUES ($1, $2, $3, $4, $5)`,
      [device.id, device.userId, device.name, JSON.stringify(device.publicKey), device.createdAt],
    );
  }

  async find(id: string): Promise<StoredDevice | null> {
    const { rows } = await this.pool.query<DeviceRow>('SELECT * FROM push_devices WHERE id = $1', [id]);
    return rows[0] ? { ...toDevice(rows[0]), publicKey: rows[0].public_key } : null;
  }

  /** The user's devices, revoked ones included, oldest first. */
  async listForUser(userId: string): Promise<PushDevice[]> {
    const { rows } = await this.pool.query<DeviceRow>(
      'SELECT * FROM push_devices WHERE user_id = $1 ORDER BY created_at, id',
      [userId],
    );
    return rows.map(toDevice);
  }

  /** How many live (not revoked) devices the user has. */
  async countLive(userId: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM push_devices WHERE user_id = $1 AND revoked_at IS NULL',
      [userId],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Revokes a live device and forgets its Web Push subscription; returns its user, or null when
   * there was no such live device.
   */
  async revoke(id: string, at: Date): Promise<string | null> {
    const { rows } = await this.pool.query<{ user_id: string }>(
      `WITH revoked AS (
         UPDATE push_devices SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id, user_id
       ), forgotten AS (
         DELETE FROM push_subscriptions WHERE device_id IN (SELECT id FROM revoked)
       )
       SELECT user_id FROM revoked`,
      [id, at],
    );
    return rows[0]?.user_id ?? null;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.pool.query('UPDATE push_devices SET last_seen_at = $2 WHERE id = $1', [id, at]);
  }
}

function toDevice(row: DeviceRow): PushDevice {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    revokedAt: row.revoked_at,
  };
}
