import type { AuditEvent, AuditLog } from '../ports/audit.ts';

/** A Prometheus counter as this decorator uses it (prom-client's `Counter` fits). */
export interface LabelledCounter<L extends string> {
  inc(labels: Record<L, string>): void;
}

/** The counters every audit event feeds. */
export interface AuditMeters {
  readonly auditEvents: LabelledCounter<'event' | 'outcome'>;
  readonly smsSends: LabelledCounter<'provider' | 'outcome'>;
  readonly pushOutcomes: LabelledCounter<'outcome'>;
  readonly storeErrors: LabelledCounter<'store'>;
}

/** Where the audit lines go (pino). */
export interface AuditLineLog {
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Label values come from the code, but a label must never be able to grow without bound. */
const LABEL = /^[A-Za-z0-9._-]{1,64}$/;
const label = (value: unknown, fallback: string) =>
  typeof value === 'string' && LABEL.test(value) ? value : fallback;

/**
 * Every audit event, three ways: a pino line (written first, so the event is in the log even when
 * Postgres is down), the Postgres row, and Prometheus counters. A failed write counts as a Postgres
 * error and is rethrown: the caller decides whether the action may go on without its audit row.
 */
export class MeteredAuditLog implements AuditLog {
  private readonly inner: AuditLog;
  private readonly log: AuditLineLog;
  private readonly meters: AuditMeters;

  constructor(inner: AuditLog, log: AuditLineLog, meters: AuditMeters) {
    this.inner = inner;
    this.log = log;
    this.meters = meters;
  }

  async record(event: AuditEvent): Promise<void> {
    this.log.info({ audit: auditLine(event) }, 'audit');
    this.count(event);
    try {
      await this.inner.record(event);
    } catch (error) {
      this.meters.storeErrors.inc({ store: 'postgres' });
      this.log.error({ err: error, audit: { event: event.event } }, 'audit row not written');
      throw error;
    }
  }

  private count(event: AuditEvent): void {
    const outcome = event.outcome;
    this.meters.auditEvents.inc({ event: label(event.event, 'other'), outcome });
    if (event.event === 'SMSOTP.send') {
      this.meters.smsSends.inc({ provider: label(event.detail?.provider, 'none'), outcome });
    } else if (event.event.startsWith('push.')) {
      this.meters.pushOutcomes.inc({ outcome: label(event.event.slice('push.'.length), 'other') });
    }
  }
}

/** The line's fields: everything the row has, with the same names as the columns' meaning. */
function auditLine(event: AuditEvent): Record<string, unknown> {
  return {
    event: event.event,
    outcome: event.outcome,
    user: event.userId ?? null,
    actor: event.actor ?? null,
    ip: event.ip ?? null,
    userAgent: event.userAgent ?? null,
    detail: event.detail ?? {},
  };
}
