import { maskPhone } from '../../plugin-api.ts';
import type { AuditReader, AuditRecord } from '../../ports/audit.ts';

/** One SMS send with the latest delivery result the provider reported for it. */
export interface SmsRow {
  readonly at: Date;
  readonly userId: string | null;
  readonly phone: string;
  readonly provider: string;
  readonly outcome: string;
  readonly reason: string;
  readonly messageId: string;
  readonly resend: boolean;
  readonly delivery: { readonly at: Date; readonly outcome: string; readonly status: string } | null;
}

/**
 * The SMSOTP plugin audits each send (`SMSOTP.send`, with the provider's message ID) and each
 * delivery callback (`SMSOTP.delivery`, with the same ID); this pairs them. Deliveries are read in
 * one query bounded by the oldest send on the page.
 */
export async function smsRows(
  trail: AuditReader,
  user: string,
  page: { limit: number; offset: number },
): Promise<SmsRow[]> {
  const sends = await trail.query({ event: 'SMSOTP.send', ...(user === '' ? {} : { user }) }, page);
  const ids = sends.map((s) => s.detail.messageId).filter((id): id is string => typeof id === 'string');
  const oldest = sends.at(-1)?.at;
  const deliveries =
    ids.length === 0
      ? []
      : await trail.query(
          { event: 'SMSOTP.delivery', from: oldest, detail: { key: 'messageId', values: ids } },
          { limit: ids.length * 5, offset: 0 },
        );
  // Newest first, so the first delivery seen for an ID is the latest report.
  const latest = new Map<string, AuditRecord>();
  for (const d of deliveries) {
    const id = d.detail.messageId;
    if (typeof id === 'string' && !latest.has(id)) latest.set(id, d);
  }
  return sends.map((send) => toRow(send, latest));
}

function toRow(send: AuditRecord, latest: ReadonlyMap<string, AuditRecord>): SmsRow {
  const d = send.detail;
  const messageId = str(d.messageId);
  const delivery = messageId === '' ? undefined : latest.get(messageId);
  return {
    at: send.at,
    userId: send.userId,
    phone: maskedPhone(d.phone),
    provider: str(d.provider),
    outcome: send.outcome,
    reason: [str(d.reason), str(d.code), str(d.status)].filter(Boolean).join(' '),
    messageId,
    resend: d.resend === true,
    delivery: delivery
      ? {
          at: delivery.at,
          outcome: delivery.outcome,
          status: [
            str(delivery.detail.sent_result) || str(delivery.detail.status),
            str(delivery.detail.carrier),
          ]
            .filter(Boolean)
            .join(' · '),
        }
      : null,
  };
}

/** The plugin stores numbers masked already; anything else with digits is masked here too. */
function maskedPhone(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '';
  return /\d{5}/.test(value) ? maskPhone(value) : value;
}

function str(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}
