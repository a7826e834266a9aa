import type { AuditEvent, AuditLog } from '../../ports/audit.ts';
import type { Queryable } from './database.ts';

export class PgAuditLog implements AuditLog {
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
}
