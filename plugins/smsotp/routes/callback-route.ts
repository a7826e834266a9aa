/**
 * Karaden's delivery callback: Karaden POSTs the message object as JSON once the carrier reports.
 * Karaden signs nothing, so the request is treated as untrusted: a secret path segment (compared in
 * constant time, 404 on any mismatch so the path is no oracle), a validated shape, and an id that
 * must be one of our own sends.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { PluginHttpResponse, PluginRoute } from '../../../src/plugin-api.ts';
import type { SmsOtpDeps } from '../deps.ts';
import { sendRecordKey } from '../deps.ts';

/** Karaden's short status words (`processing`, `done`, `received`, `docomo`, …). */
const statusWord = z.string().regex(/^[a-z][a-z_]{0,31}$/);

/** The parts of Karaden's message object the gateway records; other fields are ignored. */
const deliveryReportSchema = z.looseObject({
  object: z.literal('message'),
  id: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z-]{7,63}$/),
  status: statusWord,
  result: statusWord,
  sent_result: statusWord,
  carrier: statusWord.nullish(),
});

const sendRecordSchema = z.looseObject({ userId: z.string(), expiresAt: z.number() });

const NOT_FOUND: PluginHttpResponse = { status: 404, json: { error: 'not found' } };

/** `POST sms/callback/:secret`. */
export function callbackRoute(deps: SmsOtpDeps): PluginRoute {
  return { method: 'POST', path: 'sms/callback/:secret', handle: (request) => handleCallback(deps, request) };
}

async function handleCallback(deps: SmsOtpDeps, request: Parameters<PluginRoute['handle']>[0]) {
  const expected = deps.settings.sms.callbackSecret;
  if (expected === undefined || !sameSecret(request.params.secret ?? '', expected)) return NOT_FOUND;
  const parsed = deliveryReportSchema.safeParse(request.body);
  if (!parsed.success) return { status: 400, json: { error: 'not a Karaden message object' } };
  const report = parsed.data;
  const key = sendRecordKey(report.id);
  const record = readRecord(await deps.ctx.store.read(key));
  if (record === null) return NOT_FOUND;

  const { status, result, sent_result, carrier } = report;
  const outcome = sent_result === 'received' ? 'success' : result === 'done' ? 'failure' : 'info';
  await deps.ctx.audit({
    event: 'delivery',
    outcome,
    userId: record.userId,
    client: request.client,
    detail: { messageId: report.id, status, result, sent_result, carrier: carrier ?? null },
  });
  const now = deps.ctx.clock.now();
  const latest = { ...record, status, result, sent_result, carrier: carrier ?? null, reportedAt: now };
  // Keep the original expiry: repeated callbacks must not keep a record alive for ever.
  const ttlMs = record.expiresAt - now;
  if (ttlMs > 0) await deps.ctx.store.put(key, JSON.stringify(latest), ttlMs);
  return { status: 200, json: { ok: true } };
}

function readRecord(text: string | null) {
  if (text === null) return null;
  try {
    const parsed = sendRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Constant-time comparison; hashing first makes the lengths equal, so length leaks nothing. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
