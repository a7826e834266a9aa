/**
 * Karaden's delivery callback: Karaden POSTs the message object as JSON once the carrier reports.
 * Karaden signs nothing, so the request is treated as untrusted: a secret path segment (compared in
 * constant time, 404 on any mismatch so the path is no oracle), a validated shape, and an id that
 * must be one of our own sends. Wrong secrets are counted per client address; past the limit the
 * address gets 429 without its secret being checked (docs/sms.md). Only failures count, so
 * Karaden's own callbacks, however many, are never limited.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { PluginHttpRequest, PluginHttpResponse, PluginRoute } from '../../../src/plugin-api.ts';
import type { SmsOtpDeps } from '../deps.ts';
import { callbackFailuresKey, sendRecordKey } from '../deps.ts';

/** Wrong secrets one client address may try per window; then 429 until the window ends. */
export const MAX_SECRET_FAILURES = 10;
export const SECRET_FAILURE_WINDOW_MS = 15 * 60_000;

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
const TOO_MANY: PluginHttpResponse = { status: 429, json: { error: 'too many requests' } };

/** `POST sms/callback/:secret`. */
export function callbackRoute(deps: SmsOtpDeps): PluginRoute {
  return { method: 'POST', path: 'sms/callback/:secret', handle: (request) => handleCallback(deps, request) };
}

async function handleCallback(deps: SmsOtpDeps, request: PluginHttpRequest) {
  const refusal = await checkSecret(deps, request);
  if (refusal !== null) return refusal;
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

/** Null when the secret is right; else 404, or 429 for an address over its budget of wrong ones. */
async function checkSecret(deps: SmsOtpDeps, request: PluginHttpRequest): Promise<PluginHttpResponse | null> {
  const expected = deps.settings.sms.callbackSecret;
  if (expected === undefined) return NOT_FOUND;
  const { store, log } = deps.ctx;
  const failures = callbackFailuresKey(request.client.ip);
  // Checked before the secret: an address over its budget learns nothing, not even a right guess.
  if ((await store.peek(failures)) >= MAX_SECRET_FAILURES) return TOO_MANY;
  if (sameSecret(request.params.secret ?? '', expected)) return null;
  const count = await store.hit(failures, SECRET_FAILURE_WINDOW_MS);
  if (count === MAX_SECRET_FAILURES)
    log.warn(
      { ip: request.client.ip, failures: count },
      'sms callback: too many wrong secrets from one address',
    );
  return NOT_FOUND;
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
