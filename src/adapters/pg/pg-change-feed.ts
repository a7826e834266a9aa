import type { ChangeEvent, ChangeFeed } from '../../ports/audit.ts';
import type { Queryable } from './database.ts';

export class PgChangeFeed implements ChangeFeed {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  async latest(): Promise<number> {
    const { rows } = await this.db.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM change_events');
    return Number(rows[0]?.seq ?? 0);
  }

  async since(seq: number): Promise<ChangeEvent[]> {
    const { rows } = await this.db.query<{
      seq: string;
      kind: 'rules' | 'user' | 'revoke';
      subject: string | null;
    }>('SELECT seq, kind, subject FROM change_events WHERE seq > $1 ORDER BY seq LIMIT 1000', [seq]);
    return rows.map((row) => ({ seq: Number(row.seq), kind: row.kind, subject: row.subject }));
  }
}
