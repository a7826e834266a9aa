import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeteredAuditLog } from '../../src/core/metered-audit-log.ts';
import { createMetrics } from '../../src/metrics/metrics.ts';
import type { AuditEvent } from '../../src/ports/audit.ts';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, request, setRules, startGateway, type TestGateway } from '../support/gateway.ts';

/** The value of one sample of a metric, by its labels (0 when absent). */
async function sample(
  metrics: ReturnType<typeof createMetrics>,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  const found = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return found?.value ?? 0;
}

describe('MeteredAuditLog', () => {
  function build(inner: (event: AuditEvent) => Promise<void>) {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const metrics = createMetrics(false);
    const written: AuditEvent[] = [];
    const audit = new MeteredAuditLog(
      {
        record: async (event) => {
          await inner(event);
          written.push(event);
        },
      },
      log,
      metrics,
    );
    return { audit, metrics, lines, written, parsed: () => lines.map((l) => JSON.parse(l)) };
  }

  it('writes the row, a pino line with the same fields, and counts the event', async () => {
    const t = build(async () => {});
    const event: AuditEvent = {
      event: 'login.password',
      outcome: 'failure',
      userId: 'taro',
      actor: 'taro',
      ip: '192.0.2.1',
      userAgent: 'UA/1',
      detail: { reason: 'wrong-password' },
    };
    await t.audit.record(event);
    expect(t.written).toEqual([event]);
    expect(t.parsed()).toMatchObject([
      {
        level: 30,
        msg: 'audit',
        audit: {
          event: 'login.password',
          outcome: 'failure',
          user: 'taro',
          actor: 'taro',
          ip: '192.0.2.1',
          userAgent: 'UA/1',
          detail: { reason: 'wrong-password' },
        },
      },
    ]);
    expect(
      await sample(t.metrics, 'sekisho_audit_events_total', { event: 'login.password', outcome: 'failure' }),
    ).toBe(1);
  });

  it('counts SMS sends by provider and outcome, and push events by outcome', async () => {
    const t = build(async () => {});
    const send = (outcome: 'success' | 'failure', detail: Record<string, unknown>) =>
      t.audit.record({ event: 'SMSOTP.send', outcome, detail });
    await send('success', { provider: 'karaden', messageId: 'm1' });
    await send('failure', { provider: 'karaden', reason: 'timeout' });
    await send('success', { provider: 'sandbox' });
    await send('failure', { reason: 'too-many-sends' });
    await t.audit.record({ event: 'push.approved', outcome: 'success' });
    await t.audit.record({ event: 'push.wrong_number', outcome: 'failure' });
    await t.audit.record({ event: 'push.approved', outcome: 'success' });
    const sms = (provider: string, outcome: string) =>
      sample(t.metrics, 'sekisho_sms_sends_total', { provider, outcome });
    expect(await sms('karaden', 'success')).toBe(1);
    expect(await sms('karaden', 'failure')).toBe(1);
    expect(await sms('sandbox', 'success')).toBe(1);
    expect(await sms('none', 'failure')).toBe(1);
    expect(await sample(t.metrics, 'sekisho_push_outcomes_total', { outcome: 'approved' })).toBe(2);
    expect(await sample(t.metrics, 'sekisho_push_outcomes_total', { outcome: 'wrong_number' })).toBe(1);
  });

  it('keeps label values bounded: an odd event name or provider becomes other/none', async () => {
    const t = build(async () => {});
    await t.audit.record({ event: 'x'.repeat(200), outcome: 'info' });
    await t.audit.record({ event: 'SMSOTP.send', outcome: 'success', detail: { provider: 'a b<c>' } });
    expect(await sample(t.metrics, 'sekisho_audit_events_total', { event: 'other' })).toBe(1);
    expect(await sample(t.metrics, 'sekisho_sms_sends_total', { provider: 'none' })).toBe(1);
  });

  it('a failed write counts as a Postgres error, is rethrown, and the event is still in the log', async () => {
    const t = build(async () => {
      throw new Error('connection refused');
    });
    await expect(t.audit.record({ event: 'session.logout', outcome: 'success' })).rejects.toThrow(
      'connection refused',
    );
    expect(await sample(t.metrics, 'sekisho_store_errors_total', { store: 'postgres' })).toBe(1);
    const parsed = t.parsed();
    expect(parsed[0]).toMatchObject({ msg: 'audit', audit: { event: 'session.logout' } });
    expect(parsed[1]).toMatchObject({ level: 50, msg: 'audit row not written' });
  });
});

describe('audit events through a running gateway', () => {
  let backend: FakeBackend;
  let gw: TestGateway;
  let password: string;
  const lines: string[] = [];

  beforeAll(async () => {
    backend = await startBackend();
    gw = await startGateway({
      logLines: lines,
      config: {
        backends: { bk01: { url: backend.url } },
        sms: { provider: 'sandbox', sandbox: { enabled: true } },
      },
    });
    await setRules(gw, '/bk01/=ALL;;SMSOTP');
    password = await addUser(gw, 'hanako', { phone: '+819011112222' });
  });
  afterAll(async () => {
    await gw?.close();
    await backend?.close();
  });

  it('puts each event in Postgres and in the pino log, and counts it in /_sekisho/metrics', async () => {
    const client = new FormClient(gw.url);
    await client.login('hanako', 'not the password', '/bk01/');
    await client.login('hanako', password, '/bk01/');
    const otpPage = await client.get('/_sekisho/mfa/SMSOTP?next=%2Fbk01%2F');
    expect(otpPage.status).toBe(200);
    await client.post('/_sekisho/mfa/SMSOTP', { _csrf: csrfField(otpPage.body), next: '/bk01/', otp: 'x' });

    const rows = await gw.runtime.pool.query<{ event: string; outcome: string }>(
      'SELECT event, outcome FROM audit_events ORDER BY id',
    );
    const fromDb = rows.rows.map((r) => `${r.event}:${r.outcome}`);
    const fromLog = lines
      .map((line) => JSON.parse(line) as { msg: string; component?: string; audit?: AuditLine })
      .filter((l) => l.msg === 'audit' && l.component === 'audit')
      .map((l) => `${l.audit?.event}:${l.audit?.outcome}`);
    // setup rows (user.add, rule.set) included: every row has its line, in the same order.
    expect(fromLog).toEqual(fromDb);
    expect(fromDb).toEqual(
      expect.arrayContaining([
        'login.password:failure',
        'login.password:success',
        'SMSOTP.send:success',
        'SMSOTP.check:failure',
      ]),
    );

    const metrics = await (await request(`${gw.url}/_sekisho/metrics`)).body.text();
    expect(metrics).toContain('sekisho_audit_events_total{event="login.password",outcome="failure"} 1');
    expect(metrics).toContain('sekisho_sms_sends_total{provider="sandbox",outcome="success"} 1');
    expect(metrics).toContain('sekisho_audit_events_total{event="SMSOTP.check",outcome="failure"} 1');
  });

  it('counts push events by outcome', async () => {
    const push = gw.runtime.gateway.push;
    expect(push).not.toBeNull();
    await push?.createActivation('hanako', { actor: 'test' });
    const metrics = await (await request(`${gw.url}/_sekisho/metrics`)).body.text();
    expect(metrics).toContain('sekisho_push_outcomes_total{outcome="activation_created"} 1');
  });
});

interface AuditLine {
  readonly event: string;
  readonly outcome: string;
}
