import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AdminDeps } from './deps.ts';
import type { AuditRecord } from '../../ports/audit.ts';
import { auditQueryString, parseAuditQuery } from './audit-filter.ts';
import { actorOf } from './console-session.ts';
import { csvLine } from './csv.ts';
import type { Fields } from './form.ts';
import { sendAdminPage } from './render.ts';
import { eventLabel } from './event-names.ts';
import { adminMessages, type AdminMessages } from './messages.ts';
import { shellOf } from '../../web/shell.ts';
import { smsRows } from './sms-view.ts';
import { text, whole } from './form.ts';

const AUDIT_PAGE = 100;
const SMS_PAGE = 50;
const COLUMNS = ['id', 'at', 'event', 'outcome', 'user_id', 'actor', 'ip', 'user_agent', 'detail'];

/** The audit log with filters and its CSV export, and the SMS sends with their delivery results. */
export function auditRoutes(app: FastifyInstance, gateway: AdminDeps) {
  const trail = gateway.auditTrail;

  app.get<{ Querystring: Fields }>('/_sekisho/admin/audit', async (request, reply) => {
    const query = parseAuditQuery(request.query, zoneOf(request));
    const a = adminMessages(request);
    const offset = query.ok ? query.offset : 0;
    const rows = query.ok ? await trail.query(query.filter, { limit: AUDIT_PAGE + 1, offset }) : [];
    return sendAdminPage(request, reply, {
      view: 'audit',
      section: 'audit',
      title: (a) => a.audit.title,
      status: query.ok ? 200 : 400,
      vars: {
        form: query.form,
        badTime: !query.ok,
        rows: rows.slice(0, AUDIT_PAGE).map((row) => auditRowView(row, a)),
        csvHref: `/_sekisho/admin/audit.csv${auditQueryString(query.form)}`,
        newerHref:
          offset > 0 ? auditQueryString(query.form, { offset: Math.max(offset - AUDIT_PAGE, 0) }) : null,
        olderHref:
          rows.length > AUDIT_PAGE ? auditQueryString(query.form, { offset: offset + AUDIT_PAGE }) : null,
      },
    });
  });

  app.get<{ Querystring: Fields }>(
    '/_sekisho/admin/audit.csv',
    { config: { rateLimit: { max: 10, timeWindow: 60_000 } } },
    async (request, reply) => {
      const query = parseAuditQuery(request.query, zoneOf(request));
      if (!query.ok) return reply.code(400).header('cache-control', 'no-store').send({ error: 'bad_time' });
      // Reading the trail in bulk is itself an event worth keeping.
      const actor = actorOf(request);
      await gateway.audit.record({
        event: 'audit.export',
        outcome: 'success',
        actor: actor.id,
        ip: actor.ip,
        userAgent: actor.userAgent,
        detail: { filter: query.form },
      });
      const stamp = new Date(gateway.clock.now()).toISOString().slice(0, 19).replace(/[-:]/g, '');
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="sekisho-audit-${stamp}Z.csv"`)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(Readable.from(auditCsv(trail.stream(query.filter))));
    },
  );

  app.get<{ Querystring: Fields }>('/_sekisho/admin/sms', async (request, reply) => {
    const user = text(request.query, 'user', 128);
    const offset = whole(request.query, 'offset', 0);
    const page = await smsRows(trail, user, { limit: SMS_PAGE + 1, offset });
    const query = (extra: Record<string, string | number>) =>
      `?${new URLSearchParams({ ...(user === '' ? {} : { user }), ...extra } as Record<string, string>)}`;
    return sendAdminPage(request, reply, {
      view: 'sms',
      section: 'sms',
      title: (a) => a.sms.title,
      vars: {
        user,
        rows: page.slice(0, SMS_PAGE),
        newerHref: offset > 0 ? query({ offset: String(Math.max(offset - SMS_PAGE, 0)) }) : null,
        olderHref: page.length > SMS_PAGE ? query({ offset: String(offset + SMS_PAGE) }) : null,
      },
    });
  });
}

/** A UTF-8 byte order mark first, so that Excel (as used in Japanese offices) reads the kana right. */
async function* auditCsv(records: AsyncIterable<AuditRecord>): AsyncIterable<string> {
  yield `\uFEFF${csvLine(COLUMNS)}`;
  for await (const r of records) {
    yield csvLine([
      r.id,
      r.at.toISOString(),
      r.event,
      r.outcome,
      r.userId,
      r.actor,
      r.ip,
      r.userAgent,
      JSON.stringify(r.detail),
    ]);
  }
}

/** The filter's times are read in the zone the rows are shown in. */
function zoneOf(request: FastifyRequest): string {
  return shellOf(request.server).timeZone;
}

/** A row as the page shows it: the event in words where the console has them, the detail as JSON. */
function auditRowView(record: AuditRecord, a: AdminMessages) {
  const detail = JSON.stringify(record.detail);
  return { ...record, label: eventLabel(record.event, a), detail: detail === '{}' ? '' : detail };
}
