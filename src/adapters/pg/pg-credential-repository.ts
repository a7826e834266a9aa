import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type {
  CredentialRepository,
  FactorActivationRepository,
  NewCredential,
  RecoveryCodeRepository,
  StoredCredential,
} from '../../ports/credentials.ts';
import { inTransaction } from './database.ts';

interface CredentialRow {
  id: string;
  user_id: string;
  method: string;
  name: string;
  data: Record<string, unknown>;
  created_at: Date;
  last_used_at: Date | null;
}

const columns = 'id, user_id, method, name, data, created_at, last_used_at';

function toCredential(row: CredentialRow): StoredCredential {
  return {
    id: row.id,
    userId: row.user_id,
    method: row.method,
    name: row.name,
    data: row.data,
    createdAt: row.created_at.getTime(),
    lastUsedAt: row.last_used_at?.getTime() ?? null,
  };
}

/** Credentials in `credentials` (migration 007). */
export class PgCredentialRepository implements CredentialRepository {
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async list(userId: string, method?: string): Promise<StoredCredential[]> {
    const { rows } = await this.pool.query<CredentialRow>(
      `SELECT ${columns} FROM credentials WHERE user_id = $1 AND ($2::text IS NULL OR method = $2)
       ORDER BY created_at, id`,
      [userId, method ?? null],
    );
    return rows.map(toCredential);
  }

  async add(credential: NewCredential, now: number, options: { replace?: boolean } = {}) {
    return inTransaction(this.pool, async (db) => {
      if (options.replace)
        await db.query('DELETE FROM credentials WHERE user_id = $1 AND method = $2', [
          credential.userId,
          credential.method,
        ]);
      const { rows } = await db.query<CredentialRow>(
        `INSERT INTO credentials (id, user_id, method, name, data, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${columns}`,
        [randomUUID(), credential.userId, credential.method, credential.name, credential.data, new Date(now)],
      );
      return toCredential(rows[0] as CredentialRow);
    });
  }

  async remove(userId: string, method: string, id: string): Promise<boolean> {
    const result = await this.pool.query(
      'DELETE FROM credentials WHERE user_id = $1 AND method = $2 AND id = $3',
      [userId, method, id],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async removeAll(userId: string, method: string): Promise<number> {
    const result = await this.pool.query('DELETE FROM credentials WHERE user_id = $1 AND method = $2', [
      userId,
      method,
    ]);
    return result.rowCount ?? 0;
  }

  async touch(id: string, now: number): Promise<void> {
    await this.pool.query('UPDATE credentials SET last_used_at = $2 WHERE id = $1', [id, new Date(now)]);
  }

  async rename(userId: string, method: string, id: string, name: string): Promise<boolean> {
    const result = await this.pool.query(
      'UPDATE credentials SET name = $4 WHERE user_id = $1 AND method = $2 AND id = $3',
      [userId, method, id, name],
    );
    return (result.rowCount ?? 0) > 0;
  }
}

/** Recovery codes in `recovery_codes`: keyed hashes, each marked used by one UPDATE. */
export class PgRecoveryCodeRepository implements RecoveryCodeRepository {
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async replace(userId: string, hashes: readonly string[], now: number): Promise<void> {
    await inTransaction(this.pool, async (db) => {
      await db.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
      await db.query(
        `INSERT INTO recovery_codes (user_id, code_hash, created_at)
         SELECT $1, hash, $3 FROM unnest($2::text[]) AS hash`,
        [userId, [...hashes], new Date(now)],
      );
    });
  }

  async use(userId: string, hash: string, now: number): Promise<boolean> {
    const result = await this.pool.query(
      'UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL',
      [userId, hash, new Date(now)],
    );
    return result.rowCount === 1;
  }

  async countUnused(userId: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL',
      [userId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async clear(userId: string): Promise<number> {
    const result = await this.pool.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
    return result.rowCount ?? 0;
  }
}

/** Activation links in `factor_activations`: keyed hashes of the codes, each used by one UPDATE. */
export class PgFactorActivationRepository implements FactorActivationRepository {
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async create(codeHash: string, userId: string, createdBy: string, expiresAt: number): Promise<void> {
    await this.pool.query(
      'INSERT INTO factor_activations (code_hash, user_id, created_by, expires_at) VALUES ($1, $2, $3, $4)',
      [codeHash, userId, createdBy, new Date(expiresAt)],
    );
  }

  async peek(codeHash: string, now: number): Promise<string | null> {
    const { rows } = await this.pool.query<{ user_id: string }>(
      'SELECT user_id FROM factor_activations WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2',
      [codeHash, new Date(now)],
    );
    return rows[0]?.user_id ?? null;
  }

  async use(codeHash: string, now: number): Promise<string | null> {
    const { rows } = await this.pool.query<{ user_id: string }>(
      `UPDATE factor_activations SET used_at = $2
       WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id`,
      [codeHash, new Date(now)],
    );
    return rows[0]?.user_id ?? null;
  }
}
