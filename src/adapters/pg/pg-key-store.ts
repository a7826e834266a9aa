import type pg from 'pg';
import type { SealedBox } from '../../ports/sealed-box.ts';
import type { KeyStore, NewKey, StoredKey } from '../../ports/key-store.ts';
import { inTransaction, type Queryable } from './database.ts';

interface KeyRow {
  purpose: string;
  kid: string;
  material: string;
  created_at: Date;
  retired_at: Date | null;
}

/**
 * Keys in `gateway_keys`, sealed per purpose. `ensure` takes a transaction-scoped advisory lock
 * on the purpose, so instances that start together make one key between them.
 */
export class PgKeyStore implements KeyStore {
  private readonly pool: pg.Pool;
  private readonly boxFor: (purpose: string) => SealedBox;

  /** `boxFor(purpose)` seals that purpose's material (e.g. `sealedBox(secret, 'keys:' + purpose)`). */
  constructor(pool: pg.Pool, boxFor: (purpose: string) => SealedBox) {
    this.pool = pool;
    this.boxFor = boxFor;
  }

  async list(purpose: string): Promise<StoredKey[]> {
    const { rows } = await this.pool.query<KeyRow>(
      `SELECT purpose, kid, material, created_at, retired_at FROM gateway_keys WHERE purpose = $1
       ORDER BY retired_at IS NOT NULL, retired_at DESC, created_at DESC`,
      [purpose],
    );
    return rows.map((row) => this.toKey(row));
  }

  async ensure(purpose: string, create: () => NewKey | Promise<NewKey>): Promise<StoredKey> {
    const found = await current(this.pool, purpose);
    if (found) return this.toKey(found);
    const made = await create();
    return inTransaction(this.pool, async (db) => {
      await lockPurpose(db, purpose);
      const raced = await current(db, purpose);
      if (raced) return this.toKey(raced);
      return this.toKey(await insert(db, purpose, made, this.boxFor(purpose)));
    });
  }

  async rotate(purpose: string, key: NewKey, now: Date): Promise<StoredKey> {
    return inTransaction(this.pool, async (db) => {
      await lockPurpose(db, purpose);
      await db.query('UPDATE gateway_keys SET retired_at = $2 WHERE purpose = $1 AND retired_at IS NULL', [
        purpose,
        now,
      ]);
      return this.toKey(await insert(db, purpose, key, this.boxFor(purpose)));
    });
  }

  async dropRetired(purpose: string, before: Date): Promise<number> {
    const result = await this.pool.query(
      'DELETE FROM gateway_keys WHERE purpose = $1 AND retired_at IS NOT NULL AND retired_at < $2',
      [purpose, before],
    );
    return result.rowCount ?? 0;
  }

  private toKey(row: KeyRow): StoredKey {
    return {
      purpose: row.purpose,
      kid: row.kid,
      material: this.boxFor(row.purpose).open(row.material),
      createdAt: row.created_at,
      retiredAt: row.retired_at,
    };
  }
}

async function current(db: Queryable, purpose: string): Promise<KeyRow | undefined> {
  const { rows } = await db.query<KeyRow>(
    `SELECT purpose, kid, material, created_at, retired_at FROM gateway_keys
     WHERE purpose = $1 AND retired_at IS NULL`,
    [purpose],
  );
  return rows[0];
}

async function lockPurpose(db: Queryable, purpose: string): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext('gateway_keys:' || $1))", [purpose]);
}

async function insert(db: Queryable, purpose: string, key: NewKey, box: SealedBox): Promise<KeyRow> {
  const { rows } = await db.query<KeyRow>(
    `INSERT INTO gateway_keys (purpose, kid, material) VALUES ($1, $2, $3)
     RETURNING purpose, kid, material, created_at, retired_at`,
    [purpose, key.kid, box.seal(key.material)],
  );
  const row = rows[0];
  if (!row) throw new Error('gateway_keys insert returned no row');
  return row;
}
