import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type {
  NewWebAuthnCredential,
  StoredWebAuthnCredential,
  WebAuthnCredentialRepository,
} from '../../ports/webauthn-credentials.ts';
import { inTransaction } from './database.ts';

interface Row {
  id: string;
  user_id: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  credential_id: string;
  user_handle: string;
  public_key: string;
  sign_count: string;
  transports: string[];
  backed_up: boolean;
  multi_device: boolean;
  aaguid: string;
}

const select = `SELECT c.id, c.user_id, c.name, c.created_at, c.last_used_at, w.credential_id, w.user_handle,
  w.public_key, w.sign_count, w.transports, w.backed_up, w.multi_device, w.aaguid
  FROM webauthn_credentials w JOIN credentials c ON c.id = w.credential`;

function toCredential(row: Row): StoredWebAuthnCredential {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    createdAt: row.created_at.getTime(),
    lastUsedAt: row.last_used_at?.getTime() ?? null,
    credentialId: row.credential_id,
    userHandle: row.user_handle,
    publicKey: row.public_key,
    signCount: Number(row.sign_count),
    transports: row.transports,
    backedUp: row.backed_up,
    multiDevice: row.multi_device,
    aaguid: row.aaguid,
  };
}

/** Passkeys in `webauthn_credentials` (migration 011), each joined to its `credentials` row. */
export class PgWebAuthnRepository implements WebAuthnCredentialRepository {
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async add(userId: string, method: string, name: string, credential: NewWebAuthnCredential, now: number) {
    const id = randomUUID();
    await inTransaction(this.pool, async (db) => {
      await db.query(
        `INSERT INTO credentials (id, user_id, method, name, data, created_at) VALUES ($1, $2, $3, $4, '{}', $5)`,
        [id, userId, method, name, new Date(now)],
      );
      await db.query(
        `INSERT INTO webauthn_credentials (credential_id, credential, user_id, user_handle, public_key,
           sign_count, transports, backed_up, multi_device, aaguid)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          credential.credentialId,
          id,
          userId,
          credential.userHandle,
          credential.publicKey,
          credential.signCount,
          [...credential.transports],
          credential.backedUp,
          credential.multiDevice,
          credential.aaguid,
        ],
      );
    });
    return { ...credential, id, userId, name, createdAt: now, lastUsedAt: null };
  }

  async find(credentialId: string): Promise<StoredWebAuthnCredential | null> {
    const { rows } = await this.pool.query<Row>(`${select} WHERE w.credential_id = $1`, [credentialId]);
    return rows[0] ? toCredential(rows[0]) : null;
  }

  async list(userId: string): Promise<StoredWebAuthnCredential[]> {
    const { rows } = await this.pool.query<Row>(
      `${select} WHERE w.user_id = $1 ORDER BY c.created_at, c.id`,
      [userId],
    );
    return rows.map(toCredential);
  }

  async recordUse(credentialId: string, expected: number, next: number, backedUp: boolean, now: number) {
    const { rows } = await this.pool.query<{ credential: string }>(
      `UPDATE webauthn_credentials SET sign_count = $3, backed_up = $4
       WHERE credential_id = $1 AND sign_count = $2 RETURNING credential`,
      [credentialId, expected, next, backedUp],
    );
    const row = rows[0];
    if (!row) return false;
    await this.pool.query('UPDATE credentials SET last_used_at = $2 WHERE id = $1', [
      row.credential,
      new Date(now),
    ]);
    return true;
  }
}
