import type pg from 'pg';
import type { AccessRule } from '../../domain/rules/types.ts';
import { formatFrom } from '../../domain/rules/parse-options.ts';
import type {
  GuardedSave,
  RuleHistoryEntry,
  RuleIdentity,
  RuleRepository,
  StoredRule,
} from '../../ports/rules.ts';
import { inTransaction, noteChange, type Queryable } from './database.ts';

export class PgRuleRepository implements RuleRepository {
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async list(): Promise<StoredRule[]> {
    const { rows } = await this.pool.query<RuleRow>(
      `SELECT ${ruleColumns} FROM access_rules ORDER BY prefix, host, network`,
    );
    return rows.map(toStoredRule);
  }

  async save(rule: AccessRule, actor: string): Promise<void> {
    await this.saveAll([rule], actor, false);
  }

  async saveIfVersion(rule: AccessRule, actor: string, expectedVersion: number | null): Promise<GuardedSave> {
    try {
      return await inTransaction(this.pool, async (db) => {
        const version = await addHistory(db, rule, actor);
        const written = await writeIfVersion(db, rule, actor, version, expectedVersion);
        if (!written) throw new VersionChanged(await findRule(db, identityOf(rule)));
        await noteChange(db, 'rules', null);
        return { kind: 'saved' } as const;
      });
    } catch (error) {
      if (error instanceof VersionChanged) return { kind: 'changed', current: error.current };
      throw error;
    }
  }

  async saveAll(rules: readonly AccessRule[], actor: string, replace: boolean): Promise<void> {
    await inTransaction(this.pool, async (db) => {
      if (replace) await removeUnlisted(db, rules, actor);
      for (const rule of rules) await upsert(db, rule, actor);
      await noteChange(db, 'rules', null);
    });
  }

  async remove(rule: RuleIdentity, actor: string): Promise<boolean> {
    return inTransaction(this.pool, (db) => removeRow(db, rule, actor, null));
  }

  async removeIfVersion(rule: RuleIdentity, actor: string, expectedVersion: number): Promise<GuardedSave> {
    return inTransaction(this.pool, async (db) => {
      if (await removeRow(db, rule, actor, expectedVersion)) return { kind: 'saved' } as const;
      return { kind: 'changed', current: await findRule(db, rule) } as const;
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

const ruleColumns = 'host, prefix, network, line, version, changed_by, changed_at';

/** A rule's identity as stored: '' for every host and for every client. */
function identityOf(rule: AccessRule): RuleIdentity {
  return { host: rule.host, prefix: rule.prefix, from: rule.from ? formatFrom(rule.from) : null };
}

function keyValues(rule: RuleIdentity): [string, string, string] {
  return [rule.host ?? '', rule.prefix, rule.from ?? ''];
}

interface RuleRow {
  host: string;
  prefix: string;
  network: string;
  line: string;
  version: string;
  changed_by: string;
  changed_at: Date;
}

function toStoredRule(r: RuleRow): StoredRule {
  return {
    host: r.host === '' ? null : r.host,
    prefix: r.prefix,
    from: r.network === '' ? null : r.network,
    line: r.line,
    version: Number(r.version),
    changedBy: r.changed_by,
    changedAt: r.changed_at,
  };
}

/**
 * Deletes one rule (only at `expected`, when given: the delete's own condition, so a save that
 * lands first wins) and records the deletion in the history; false when nothing was deleted.
 */
async function removeRow(
  db: Queryable,
  rule: RuleIdentity,
  actor: string,
  expected: number | null,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `DELETE FROM access_rules WHERE host = $1 AND prefix = $2 AND network = $3
       AND ($4::bigint IS NULL OR version = $4::bigint)`,
    [...keyValues(rule), expected],
  );
  if (rowCount === 0) return false;
  await db.query(
    'INSERT INTO access_rule_history (host, prefix, network, line, changed_by) VALUES ($1, $2, $3, NULL, $4)',
    [...keyValues(rule), actor],
  );
  await noteChange(db, 'rules', null);
  return true;
}

/** Thrown inside the transaction so that it rolls back (the history row with it). */
class VersionChanged extends Error {
  readonly current: StoredRule | null;

  constructor(current: StoredRule | null) {
    super('rule version changed');
    this.current = current;
  }
}

/**
 * The version check is the write's own condition: a simultaneous save of the same row waits for
 * the row lock and then re-evaluates `version = $6` against the committed row (or, for an add,
 * finds the committed insert and does nothing), so only one of two racing saves can land.
 */
async function writeIfVersion(
  db: Queryable,
  rule: AccessRule,
  actor: string,
  version: string,
  expected: number | null,
): Promise<boolean> {
  const values = [...keyValues(identityOf(rule)), rule.line, version, actor];
  const { rowCount } =
    expected === null
      ? await db.query(
          `INSERT INTO access_rules (host, prefix, network, line, version, changed_by, changed_at)
           VALUES ($1, $2, $3, $4, $5, $6, now()) ON CONFLICT (host, prefix, network) DO NOTHING`,
          values,
        )
      : await db.query(
          `UPDATE access_rules SET line = $4, version = $5, changed_by = $6, changed_at = now()
           WHERE host = $1 AND prefix = $2 AND network = $3 AND version = $7`,
          [...values, expected],
        );
  return rowCount === 1;
}

async function findRule(db: Queryable, rule: RuleIdentity): Promise<StoredRule | null> {
  const { rows } = await db.query<RuleRow>(
    `SELECT ${ruleColumns} FROM access_rules WHERE host = $1 AND prefix = $2 AND network = $3`,
    keyValues(rule),
  );
  return rows[0] ? toStoredRule(rows[0]) : null;
}

interface HistoryRow {
  version: string;
  host: string;
  prefix: string;
  network: string;
  line: string | null;
  changed_by: string;
  changed_at: Date;
}

function toHistoryEntry(r: HistoryRow): RuleHistoryEntry {
  return {
    version: Number(r.version),
    host: r.host === '' ? null : r.host,
    prefix: r.prefix,
    from: r.network === '' ? null : r.network,
    line: r.line,
    changedBy: r.changed_by,
    changedAt: r.changed_at,
  };
}

/** Records the change in the history; its number is the rule's new version. */
async function addHistory(db: Queryable, rule: AccessRule, actor: string): Promise<string> {
  const { rows } = await db.query<{ version: string }>(
    `INSERT INTO access_rule_history (host, prefix, network, line, changed_by)
     VALUES ($1, $2, $3, $4, $5) RETURNING version`,
    [...keyValues(identityOf(rule)), rule.line, actor],
  );
  return rows[0]?.version ?? '';
}

async function upsert(db: Queryable, rule: AccessRule, actor: string): Promise<void> {
  const version = await addHistory(db, rule, actor);
  await db.query(
    `INSERT INTO access_rules (host, prefix, network, line, version, changed_by, changed_at)
     VALUES ($1, $2, $3, $4, $5, $6, now())
     ON CONFLICT (host, prefix, network) DO UPDATE SET line = EXCLUDED.line, version = EXCLUDED.version,
       changed_by = EXCLUDED.changed_by, changed_at = EXCLUDED.changed_at`,
    [...keyValues(identityOf(rule)), rule.line, version, actor],
  );
}

async function removeUnlisted(db: Queryable, keep: readonly AccessRule[], actor: string): Promise<void> {
  const { rows } = await db.query<{ host: string; prefix: string; network: string }>(
    'SELECT host, prefix, network FROM access_rules',
  );
  const kept = new Set(keep.map((r) => keyValues(identityOf(r)).join(' ')));
  for (const row of rows) {
    const key = [row.host, row.prefix, row.network];
    if (kept.has(key.join(' '))) continue;
    await db.query('DELETE FROM access_rules WHERE host = $1 AND prefix = $2 AND network = $3', key);
    await db.query(
      'INSERT INTO access_rule_history (host, prefix, network, line, changed_by) VALUES ($1, $2, $3, NULL, $4)',
      [...key, actor],
    );
  }
}
