import type pg from 'pg';
import type { AuditLog } from '../../ports/audit.ts';

export interface RetentionPolicy {
  /** Rows older than this many days are purged (the database refuses fewer than 30). */
  readonly retentionDays: number;
  /** Rows deleted per statement, so no single DELETE holds its locks for long. */
  readonly batchSize?: number;
}

export type PurgeResult =
  /** This instance held the lock and purged `deleted` rows. */
  | { readonly ran: true; readonly deleted: number }
  /** Another instance is purging right now; nothing to do here. */
  | { readonly ran: false };

interface RetentionLog {
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

// Two-key advisory lock: a constant for "audit retention", and the schema, so that gateways of
// different deployments sharing one database (or parallel test schemas) do not wait for each other.
const LOCK_SQL =
  "SELECT pg_try_advisory_lock(hashtext('sekisho.audit_retention'), hashtext(current_schema())) AS ok";
const UNLOCK_SQL =
  "SELECT pg_advisory_unlock(hashtext('sekisho.audit_retention'), hashtext(current_schema()))";

/**
 * Purges audit rows older than the retention, one instance at a time. The purge itself is a row in
 * the trail (`audit.purge`), so the record shows when and how much was removed.
 */
export class AuditRetention {
  private readonly pool: pg.Pool;
  private readonly audit: AuditLog;
  private readonly log: RetentionLog;
  private readonly policy: Required<RetentionPolicy>;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(deps: { pool: pg.Pool; audit: AuditLog; log: RetentionLog }, policy: RetentionPolicy) {
    this.pool = deps.pool;
    this.audit = deps.audit;
    this.log = deps.log;
    this.policy = { retentionDays: policy.retentionDays, batchSize: policy.batchSize ?? 10_000 };
  }

  /** One purge: skipped when another instance holds the lock. */
  async purgeOnce(): Promise<PurgeResult> {
    const client = await this.pool.connect();
    let locked = false;
    try {
      locked = (await client.query<{ ok: boolean }>(LOCK_SQL)).rows[0]?.ok === true;
      if (!locked) return { ran: false };
      const deleted = await this.deleteInBatches(client);
      if (deleted > 0) {
        this.log.info({ deleted, retentionDays: this.policy.retentionDays }, 'audit rows purged');
        await this.audit.record({
          event: 'audit.purge',
          outcome: 'success',
          actor: 'system',
          detail: { deleted, retentionDays: this.policy.retentionDays },
        });
      }
      return { ran: true, deleted };
    } finally {
      if (locked) await client.query(UNLOCK_SQL).catch(() => {});
      client.release();
    }
  }

  /** Purges now and then every `intervalMs`; failures are logged and retried at the next tick. */
  start(intervalMs: number): void {
    const tick = () => {
      if (this.running) return;
      this.running = this.purgeOnce()
        .catch((error: unknown) => this.log.error({ err: error }, 'audit purge failed'))
        .finally(() => (this.running = null));
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a purge in flight, so the pool can close after it. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async deleteInBatches(client: pg.PoolClient): Promise<number> {
    const { retentionDays, batchSize } = this.policy;
    let total = 0;
    for (;;) {
      const result = await client.query<{ deleted: number }>('SELECT purge_audit_events($1, $2) AS deleted', [
        retentionDays,
        batchSize,
      ]);
      const deleted = result.rows[0]?.deleted ?? 0;
      total += deleted;
      if (deleted < batchSize) return total;
    }
  }
}
