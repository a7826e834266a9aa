import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../support/browser-client.ts';
import { addUser, request, type TestGateway } from '../support/gateway.ts';
import {
  addAdmin,
  auditRows,
  consoleClient,
  passwordOnlyClient,
  startConsoleGateway,
  unescapeHtml,
} from '../support/admin-harness.ts';

const en = { 'accept-language': 'en' };

/** Splits RFC 4180 CSV (quoted fields may hold commas, quotes and newlines) into records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      record.push(cell);
      cell = '';
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      records.push([...record, cell]);
      record = [];
      cell = '';
      i++;
    } else {
      cell += c;
    }
  }
  return records;
}

describe('admin console: audit log and SMS sends', () => {
  let gw: TestGateway;
  let boss: FormClient;
  let started: Date;

  beforeAll(async () => {
    started = new Date(Date.now() - 60_000);
    gw = await startConsoleGateway();
    boss = await consoleClient(gw, 'boss', await addAdmin(gw, 'boss'));
    await addUser(gw, 'hanako', { password: 'hanako password' });
    expect((await new FormClient(gw.url).login('hanako', 'wrong password')).status).toBe(401);
    const audit = gw.runtime.gateway.audit;
    await audit.record({
      event: 'loginx.other',
      outcome: 'info',
      userId: 'evil',
      userAgent: '=HYPERLINK("http://evil.example","click")',
      detail: { note: '+1, "quoted"\nsecond line' },
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  /** The export's raw bytes (a text decoder would hide the byte order mark) and its text after the mark. */
  async function csv(query: string) {
    const response = await request(`${gw.url}/_sekisho/admin/audit.csv${query}`, {
      headers: { accept: 'text/html', cookie: boss.cookieHeader() },
    });
    const bytes = Buffer.from(await response.body.arrayBuffer());
    return {
      status: response.statusCode,
      headers: response.headers,
      bytes,
      body: bytes.subarray(3).toString('utf8'),
    };
  }

  const eventsOn = async (query: string) => {
    const page = await boss.get(`/_sekisho/admin/audit${query}`, en);
    expect(page.status).toBe(200);
    return [...page.body.matchAll(/<tr data-id="\d+" data-event="([^"]+)"/g)].map((m) => m[1]);
  };

  it('filters by user (about them or by them), by event name or dotted prefix, and by time (in the zone, Asia/Tokyo by default)', async () => {
    expect(new Set(await eventsOn('?user=hanako'))).toEqual(new Set(['login.password', 'user.add']));
    expect(new Set(await eventsOn('?event=login'))).toEqual(new Set(['login.password', 'login.step']));
    expect(await eventsOn('?event=loginx.')).toEqual(['loginx.other']);
    expect(await eventsOn('?event=SMSOTP.send&user=boss')).toEqual(['SMSOTP.send']);
    // Wall-clock times in Tokyo (UTC+9, no daylight saving), as the page shows and reads them.
    const tokyo = (d: Date) => new Date(d.getTime() + 9 * 3_600_000).toISOString();
    const day = (d: Date) => tokyo(d).slice(0, 10);
    const minute = (d: Date) => tokyo(d).slice(0, 16);
    expect(await eventsOn(`?user=hanako&from=${minute(started)}&to=${day(new Date())}`)).toHaveLength(2);
    expect(await eventsOn(`?user=hanako&from=${day(new Date(Date.now() + 2 * 86_400_000))}`)).toEqual([]);
    expect(await eventsOn(`?user=hanako&to=${minute(started)}`)).toEqual([]);
    const bad = await boss.get('/_sekisho/admin/audit?from=yesterday', en);
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('use YYYY-MM-DD');
  });

  it('pages through a long log, newest first', async () => {
    await gw.runtime.pool.query(
      `INSERT INTO audit_events (event, outcome, user_id, detail)
       SELECT 'bulk.row', 'info', 'bulk', jsonb_build_object('n', n) FROM generate_series(1, 1201) AS n`,
    );
    const first = await boss.get('/_sekisho/admin/audit?user=bulk', en);
    expect([...first.body.matchAll(/<tr data-id=/g)]).toHaveLength(100);
    expect(first.body).toContain('{&quot;n&quot;:1201}');
    const older = /<a href="\/_sekisho\/admin\/audit(\?[^"]+)">Older<\/a>/.exec(first.body)?.[1] ?? '';
    expect(unescapeHtml(older)).toBe('?user=bulk&offset=100');
    const second = await boss.get(`/_sekisho/admin/audit${unescapeHtml(older)}`, en);
    expect(second.body).toContain('{&quot;n&quot;:1101}');
  });

  it('exports CSV: every matching row streamed in batches, escaped, safe to open in a spreadsheet; the export is audited', async () => {
    const bulk = await csv('?user=bulk');
    expect(bulk.status).toBe(200);
    expect(bulk.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(bulk.headers['content-disposition']).toMatch(
      /^attachment; filename="sekisho-audit-\d{8}T\d{6}Z\.csv"$/,
    );
    expect([...bulk.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bulk.body.startsWith('id,at,event,outcome,user_id,actor,ip,user_agent,detail\r\n')).toBe(true);
    const rows = parseCsv(bulk.body).slice(1);
    expect(rows).toHaveLength(1201);
    const ids = rows.map((r) => Number(r[0]));
    expect(new Set(ids).size).toBe(1201);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(rows[0]?.[8]).toBe('{"n":1201}');

    const evil = await csv('?user=evil');
    const [header, row] = parseCsv(evil.body);
    expect(header).toHaveLength(9);
    expect(row?.[7]).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(row?.[8]).toBe('{"note":"+1, \\"quoted\\"\\nsecond line"}');
    expect(evil.body).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);

    const [exported] = await auditRows(gw, 'audit.export');
    expect(exported).toMatchObject({ actor: 'boss', ip: '127.0.0.1', detail: { filter: { user: 'evil' } } });
    expect((await boss.get('/_sekisho/admin/audit.csv?from=nonsense')).status).toBe(400);
  });

  it('shows SMS sends with their delivery results, phone numbers masked', async () => {
    const audit = gw.runtime.gateway.audit;
    const send = (
      messageId: string,
      detail: Record<string, unknown>,
      outcome: 'success' | 'failure' = 'success',
    ) =>
      audit.record({
        event: 'SMSOTP.send',
        outcome,
        userId: 'hanako',
        detail: { provider: 'karaden', messageId, ...detail },
      });
    await send('msg-delivered-01', { phone: '+********5678' });
    await audit.record({
      event: 'SMSOTP.delivery',
      outcome: 'info',
      userId: 'hanako',
      detail: {
        messageId: 'msg-delivered-01',
        status: 'processing',
        result: 'processing',
        sent_result: 'none',
      },
    });
    await audit.record({
      event: 'SMSOTP.delivery',
      outcome: 'success',
      userId: 'hanako',
      detail: {
        messageId: 'msg-delivered-01',
        status: 'done',
        result: 'done',
        sent_result: 'received',
        carrier: 'docomo',
      },
    });
    await send('msg-waiting-02', { phone: '+819012349876' });
    await audit.record({
      event: 'SMSOTP.send',
      outcome: 'failure',
      userId: 'hanako',
      detail: { provider: 'karaden', reason: 'timeout', phone: '+********1111' },
    });

    const page = await boss.get('/_sekisho/admin/sms', en);
    expect(page.status).toBe(200);
    const row = (id: string) =>
      new RegExp(`<tr data-message="${id}">[\\s\\S]*?</tr>`).exec(page.body)?.[0] ?? '';
    expect(row('msg-delivered-01')).toContain('received · docomo');
    expect(row('msg-delivered-01')).toContain('+********5678');
    expect(row('msg-waiting-02')).toContain('no report yet');
    expect(row('msg-waiting-02')).toContain('+********9876');
    expect(page.body).not.toContain('+819012349876');
    expect(row('')).toContain('timeout');
    // The console login's own send, through the sandbox, with boss's number masked.
    expect(page.body).toContain('sandbox');
    expect(page.body).not.toContain('+819011112222');
    const hanakoOnly = await boss.get('/_sekisho/admin/sms?user=hanako', en);
    expect(hanakoOnly.body).not.toContain('sandbox');
  });

  it('gives the audit log and its export to admins only', async () => {
    const taro = await passwordOnlyClient(gw, 'hanako', 'hanako password');
    expect((await taro.get('/_sekisho/admin/audit.csv')).status).toBe(403);
    const anonymous = await request(`${gw.url}/_sekisho/admin/audit.csv`);
    expect(anonymous.statusCode).toBe(401);
  });
});
