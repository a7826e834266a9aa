import type pg from 'pg';
import type { AccessRule } from '../../domain/rules/types.ts';
import type { RuleHistoryEntry, RuleRepository, StoredRule } from '../../ports/rules.ts';
import { inTransaction, noteChange, type Queryable } from './database.ts';

export class PgRuleRepository implements RuleRepository {
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async list(): Promise<StoredRule[]> {
    const { rows } = await this.pool.query<{
      host: string;
      prefix: string;
      line: string;
      version: string;
      changed_by: string;
      changed_at: Date;
    }>('SELECT host, prefix, line, version, changed_by, changed_at FROM access_rules ORDER BY prefix, host');
    return rows.map((r) => ({
      host: r.host === '' ? null : r.host,
      prefix: r.prefix,
      line: r.line,
      version: Number(r.version),
      changedBy: r.changed_by,
      changedAt: r.changed_at,
    }));
  }

  async save(rule: AccessRule, actor: string): Promise<void> {
    await this.saveAll([rule], actor, false);
  }

  async saveAll(rules: readonly AccessRule[], actor: string, replace: boolean): Promise<void> {
    await inTransaction(this.pool, async (db) => {
      if (replace) await removeUnlisted(db, rules, actor);
      for (const rule of rules) await upsert(db, rule, actor);
      await noteChange(db, 'rules', null);
    });
  }

  async remove(host: string | null, prefix: string, actor: string): Promise<boolean> {
    return inTransaction(this.pool, async (db) => {
      const { rowCount } = await db.query('DELETE FROM access_rules WHERE host = $1 AND prefix = $2', [
        host ?? '',
        prefix,
      ]);
      if (rowCount === 0) return false;
      await db.query(
        'INSERT INTO access_rule_history (host, prefix, line, changed_by) VALUES ($1, $2, NULL, $3)',
        [host ?? '', prefix, actor],
      );
      await noteChange(db, 'rules', null);
      return true;
    });
  }

  async history(limit: number, offset = 0): Promise<RuleHistoryEntry[]> {
    const { rows } = await this.pool.query<HistoryRow>(
      'SELECT * FROM access_rule_history ORDER BY version DESC LIMIT $1 OFFSET $2',
      [limit, offset],
    );
    return rows.map(toHistoryEntry);
  }

  async findVersion(version: number): Promise<RuleHistoryEntry | null> {
    const { rows } = await this.pool.query<HistoryRow>(
      'SELECT * FROM access_rule_history WHERE version = $1',
      [version],
    );
    return rows[0] ? toHistoryEntry(rows[0]) : null;
  }
}

interface HistoryRow {
  version: string;
  host: string;
  prefix: string;
  line: string | null;
  changed_by: string;
  changed_at: Date;
}

function toHistoryEntry(r: HistoryRow): RuleHistoryEntry {
  return {
    version: Number(r.version),
    host: r.host === '' ? null : r.host,
    prefix: r.prefix,
    line: r.line,
    changedBy: r.changed_by,
    changedAt: r.changed_at,
  };
}

async function upsert(db: Queryable, rule: AccessRule, actor: string): Promise<void> {
  const history = await db.query<{ version: string }>(
    'INSERT INTO access_rule_history (host, prefix, line, changed_by) VALUES ($1, $2, $3, $4) RETURNING version',
    [rule.host ?? '', rule.prefix, rule.line, actor],
  );
  await db.query(
    `INSERT INTO access_rules (host, prefix, line, version, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (host, prefix) DO UPDATE SET line = EXCLUDED.line, version = EXCLUDED.version,
       changed_by = EXCLUDED.changed_by, changed_at = EXCLUDED.changed_at`,
    [rule.host ?? '', rule.prefix, rule.line, history.rows[0]?.version, actor],
  );
}

async function removeUnlisted(db: Queryable, keep: readonly AccessRule[], actor: string): Promise<void> {
  const { rows } = await db.query<{ host: string; prefix: string }>('SELECT host, prefix FROM access_rules');
  const kept = new Set(keep.map((r) => `${r.host ?? ''} ${r.prefix}`));
  for (const row of rows) {
    if (kept.has(`${row.host} ${row.prefix}`)) continue;
    await db.query('DELETE FROM access_rules WHERE host = $1 AND prefix = $2', [row.host, row.prefix]);
    await db.query(
      'INSERT INTO access_rule_history (host, prefix, line, changed_by) VALUES ($1, $2, NULL, $3)',
      [row.host, row.prefix, actor],
    );
  }
}
