import type { AuditEvent, AuditFilter, AuditLog, AuditReader, AuditRecord } from '../../ports/audit.ts';
import type { Queryable } from './database.ts';

interface AuditRow {
  id: string;
  at: Date;
  event: string;
  outcome: string;
  user_id: string | null;
  actor: string | null;
  ip: string | null;
  user_agent: string | null;
  detail: Record<string, unknown> | null;
}

/** Rows fetched per round trip while streaming an export. */
const STREAM_BATCH = 500;

export class PgAuditLog implements AuditLog, AuditReader {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  async record(event: AuditEvent): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_events (event, outcome, user_id, actor, ip, user_agent, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        event.event,
        event.outcome,
        event.userId ?? null,
        event.actor ?? null,
        event.ip ?? null,
        event.userAgent?.slice(0, 512) ?? null,
        JSON.stringify(event.detail ?? {}),
      ],
    );
  }

  async query(filter: AuditFilter, page: { limit: number; offset: number }): Promise<AuditRecord[]> {
    const { where, params } = whereClause(filter);
    const { rows } = await this.db.query<AuditRow>(
      `SELECT * FROM audit_events ${where} ORDER BY id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.limit, page.offset],
    );
    return rows.map(toRecord);
  }

  /** Keyset pagination on the id: each batch starts below the last id seen, so rows never repeat. */
  async *stream(filter: AuditFilter): AsyncIterable<AuditRecord> {
    let below: string | null = null;
    for (;;) {
      const { where, params } = whereClause(filter, below);
      const { rows } = await this.db.query<AuditRow>(
        `SELECT * FROM audit_events ${where} ORDER BY id DESC LIMIT ${STREAM_BATCH}`,
        params,
      );
      for (const row of rows) yield toRecord(row);
      if (rows.length < STREAM_BATCH) return;
      below = rows[rows.length - 1]?.id ?? null;
    }
  }
}

function whereClause(filter: AuditFilter, belowId: string | null = null) {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.user !== undefined) {
    const user = param(filter.user);
    conditions.push(`(user_id = ${user} OR actor = ${user})`);
  }
  if (filter.event !== undefined) {
    const name = filter.event.replace(/\.+$/, '').toLowerCase();
    conditions.push(`(lower(event) = ${param(name)} OR lower(event) LIKE ${param(`${escapeLike(name)}.%`)})`);
  }
  if (filter.from !== undefined) conditions.push(`at >= ${param(filter.from)}`);
  if (filter.to !== undefined) conditions.push(`at < ${param(filter.to)}`);
  if (filter.detail !== undefined)
    conditions.push(`detail ->> ${param(filter.detail.key)} = ANY(${param(filter.detail.values)}::text[])`);
  if (belowId !== null) conditions.push(`id < ${param(belowId)}`);
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

/** LIKE's wildcards in an event name are literal characters. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function toRecord(row: AuditRow): AuditRecord {
  return {
    id: Number(row.id),
    at: row.at,
    event: row.event,
    outcome: row.outcome,
    userId: row.user_id,
    actor: row.actor,
    ip: row.ip,
    userAgent: row.user_agent,
    detail: row.detail ?? {},
  };
}
