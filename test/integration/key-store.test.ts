import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealedBox } from '../../src/adapters/crypto/sealed-box.ts';
import { createPool, migrate } from '../../src/adapters/pg/database.ts';
import { PgKeyStore } from '../../src/adapters/pg/pg-key-store.ts';
import { databaseUrl, uniqueName } from '../support/env.ts';
import { dropSchema } from '../support/gateway.ts';

const secret = 'test-secret-0123456789-abcdefghijklmnop';

/** Shared key material in real Postgres: made once by instances that start together, sealed at rest. */
describe('PgKeyStore', () => {
  const schema = uniqueName('keys');
  let pools: pg.Pool[];
  let stores: PgKeyStore[];

  beforeAll(async () => {
    pools = [createPool(databaseUrl, schema, 4), createPool(databaseUrl, schema, 4)];
    await migrate(pools[0] as pg.Pool, schema);
    stores = pools.map((pool) => new PgKeyStore(pool, (purpose) => sealedBox(secret, `keys:${purpose}`)));
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await dropSchema(schema);
  });

  it('two instances ensuring a key at once agree on one key', async () => {
    let made = 0;
    const create = () => ({ kid: `k${++made}`, material: `material-${made}` });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (stores[i % 2] as PgKeyStore).ensure('race', create)),
    );
    expect(new Set(results.map((key) => key.kid)).size).toBe(1);
    const [key] = results;
    expect(key?.material).toMatch(/^material-\d+$/);
    expect(await stores[1]?.list('race')).toHaveLength(1);
  });

  it('keeps material sealed in the table, and another secret cannot open it', async () => {
    await stores[0]?.ensure('sealed', () => ({ kid: 's1', material: 'PLAINTEXT-KEY' }));
    const { rows } = await (pools[0] as pg.Pool).query<{ material: string }>(
      "SELECT material FROM gateway_keys WHERE purpose = 'sealed'",
    );
    expect(rows[0]?.material).not.toContain('PLAINTEXT-KEY');
    const other = new PgKeyStore(pools[0] as pg.Pool, (purpose) =>
      sealedBox(`${secret}-other`, `keys:${purpose}`),
    );
    await expect(other.list('sealed')).rejects.toThrow(/does not open/);
  });

  it('rotates: the new key is current, the old one retired but listed until dropped', async () => {
    const first = await stores[0]?.ensure('rot', () => ({ kid: 'a', material: 'A' }));
    expect(first?.kid).toBe('a');
    await stores[1]?.rotate('rot', { kid: 'b', material: 'B' }, new Date('2026-12-03T00:00:00Z'));
    const listed = await stores[0]?.list('rot');
    expect(listed?.map((key) => [key.kid, key.retiredAt !== null])).toEqual([
      ['b', false],
      ['a', true],
    ]);
    expect((await stores[0]?.ensure('rot', () => ({ kid: 'never', material: '' })))?.kid).toBe('b');
    expect(await stores[0]?.dropRetired('rot', new Date('2026-12-04T00:00:00Z'))).toBe(1);
    expect((await stores[0]?.list('rot'))?.map((key) => key.kid)).toEqual(['b']);
  });
});
