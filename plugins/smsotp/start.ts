/**
 * Starting a challenge: show the live code's page again, or send a fresh code. The order matters:
 * the SMS is sent first, and only when a provider accepted it are the challenge and its meta stored,
 * so a failed send leaves nothing half-made and the previous code (if any) keeps working.
 */
import { randomInt } from 'node:crypto';
import type { ChallengeProblem, ChallengeRequest, StartResult } from '../../src/plugin-api.ts';
import { maskPhone } from '../../src/plugin-api.ts';
import type { FlowKeys, SmsOtpDeps } from './deps.ts';
import {
  codeHash,
  flowKeys,
  SEND_RECORD_TTL_MS,
  sendCounterKeys,
  sendRecordKey,
  windowStartKey,
} from './deps.ts';
import { otpView, parseMeta, resendWaitSeconds } from './otp-page.ts';
import type { SendMeta } from './otp-page.ts';
import type { FailoverResult } from './providers/failover.ts';
import { displayPhone } from './phone-display.ts';
import { isSendableNumber, renderSmsText } from './sms-message.ts';

type StartRequest = ChallengeRequest & { readonly resend: boolean };

const problem = (messageKey: string, retry: boolean): ChallengeProblem => ({
  kind: 'problem',
  messageKey,
  retry,
});

/** Implements `AuthMethod.start` for SMS OTP. */
export async function startChallenge(deps: SmsOtpDeps, request: StartRequest): Promise<StartResult> {
  const { user } = request;
  const phone = user.phone;
  if (phone === null || phone.trim() === '') {
    await auditSend(deps, request, 'failure', { reason: 'no-phone' });
    return problem('noPhone', false);
  }
  if (!isSendableNumber(phone)) {
    await auditSend(deps, request, 'failure', { reason: 'invalid-number', phone: maskPhone(phone) });
    return problem('invalidNumber', false);
  }
  const keys = flowKeys(deps.ctx, user.id, request.flowId);
  const meta = parseMeta(await deps.ctx.store.read(keys.meta));
  if (meta !== null && !request.resend) return { kind: 'started', view: otpView(deps, meta) };
  // Within the cooldown the old code stays valid, so the page simply says when a resend is possible.
  if (meta !== null && resendWaitSeconds(deps, meta) > 0) {
    return { kind: 'started', view: otpView(deps, meta, { notice: 'resendCooldown' }) };
  }
  if (!(await deps.ctx.store.putIfAbsent(keys.lock, String(deps.ctx.clock.now()), deps.lockTtlMs))) {
    return problem('sendInProgress', true);
  }
  try {
    return await sendFreshCode(deps, request, phone, keys, meta !== null);
  } finally {
    await deps.ctx.store.remove(keys.lock);
  }
}

async function sendFreshCode(
  deps: SmsOtpDeps,
  request: StartRequest,
  phone: string,
  keys: FlowKeys,
  replacing: boolean,
): Promise<StartResult> {
  const { ctx, settings } = deps;
  const refused = await takeSendSlot(deps, request.user.id, phone);
  if (refused !== null) {
    const { cap, retryAt } = refused;
    ctx.log.warn({ user: request.user.id, cap }, 'sms send refused: cap reached');
    await auditSend(deps, request, 'failure', { reason: 'too-many-sends', cap, phone: maskPhone(phone) });
    return { ...problem('tooManySends', true), retryAt };
  }
  const code = generateCode(settings.otp.length);
  const body = renderSmsText({
    locale: request.client.locale,
    purpose: request.purpose,
    code,
    ttlSeconds: settings.otp.ttlSeconds,
    host: deps.host,
    templates: ctx.config.templates,
  });
  const result = await deps.sender.send({ to: phone, body });
  await auditAttempts(deps, request, phone, result);
  if (result.accepted === null) return problem('sendFailed', true);

  const meta = await storeChallenge(deps, request, keys, code, { ...result.accepted, phone });
  return { kind: 'started', view: otpView(deps, meta, replacing ? { notice: 'resent' } : {}) };
}

/**
 * Opens the challenge for an accepted code (replacing any earlier one of this flow: the previous
 * code dies here), with the page's meta beside it and a record of the send for the delivery callback.
 */
async function storeChallenge(
  deps: SmsOtpDeps,
  request: StartRequest,
  keys: FlowKeys,
  code: string,
  sent: { readonly provider: string; readonly messageId: string; readonly phone: string },
): Promise<SendMeta> {
  const { ctx, settings } = deps;
  const sentAt = ctx.clock.now();
  const ttlMs = settings.otp.ttlSeconds * 1000;
  const hash = codeHash(ctx, request.user.id, request.flowId, code);
  await ctx.store.openChallenge(keys.challenge, hash, settings.otp.maxAttempts, ttlMs);
  const meta: SendMeta = {
    sentAt,
    expiresAt: sentAt + ttlMs,
    maskedPhone: displayPhone(sent.phone),
    provider: sent.provider,
    messageId: sent.messageId,
  };
  await ctx.store.put(keys.meta, JSON.stringify(meta), ttlMs);
  const record = {
    userId: request.user.id,
    provider: sent.provider,
    sentAt,
    expiresAt: sentAt + SEND_RECORD_TTL_MS,
  };
  await ctx.store.put(sendRecordKey(sent.messageId), JSON.stringify(record), SEND_RECORD_TTL_MS);
  return meta;
}

/** `length` decimal digits, uniformly from the CSPRNG (leading zeros kept). */
export function generateCode(length: number): string {
  return String(randomInt(0, 10 ** length)).padStart(length, '0');
}

/** One audit row (and, on failure, one log line) per provider asked. */
async function auditAttempts(deps: SmsOtpDeps, request: StartRequest, phone: string, result: FailoverResult) {
  for (const { provider, outcome } of result.attempts) {
    const masked = maskPhone(phone);
    if (outcome.ok) {
      await auditSend(deps, request, 'success', { provider, messageId: outcome.messageId, phone: masked });
      continue;
    }
    const { reason, status, code } = outcome;
    deps.ctx.log.warn({ user: request.user.id, provider, reason, status, code }, 'sms send failed');
    await auditSend(deps, request, 'failure', { provider, reason, status, code, phone: masked });
  }
}

async function auditSend(
  deps: SmsOtpDeps,
  request: StartRequest,
  outcome: 'success' | 'failure',
  detail: Record<string, unknown>,
): Promise<void> {
  const clean = Object.fromEntries(Object.entries(detail).filter(([, value]) => value !== undefined));
  await deps.ctx.audit({
    event: 'send',
    outcome,
    userId: request.user.id,
    client: request.client,
    detail: { ...clean, resend: request.resend },
  });
}

/** Which cap refused a send, and when its window ends (ms). */
interface SendRefusal {
  readonly cap: 'user' | 'phone' | 'global';
  readonly retryAt: number;
}

/**
 * Counts one send attempt against the caps: per user and per phone number in `otp.sendWindowSeconds`,
 * and for the whole gateway per minute (SMS pumping: fraudsters trigger sends to premium numbers and
 * share the carrier fees). Attempts are counted before the send, atomically, because a send that
 * timed out may still have been delivered and billed. Returns the cap exceeded, or null.
 */
async function takeSendSlot(deps: SmsOtpDeps, userId: string, phone: string): Promise<SendRefusal | null> {
  const otp = deps.settings.otp;
  const keys = sendCounterKeys(deps.ctx, userId, phone);
  const windowMs = otp.sendWindowSeconds * 1000;
  // In this order, so a user already over their own cap does not use up the global budget.
  const caps = [
    { cap: 'user', key: keys.user, windowMs, max: otp.maxSendsPerWindow },
    { cap: 'phone', key: keys.phone, windowMs, max: otp.maxSendsPerWindow },
    { cap: 'global', key: keys.global, windowMs: 60_000, max: otp.globalMaxSendsPerMinute },
  ] as const;
  for (const { cap, key, windowMs: window, max } of caps) {
    const retryAt = await countSend(deps, key, window, max);
    if (retryAt !== null) return { cap, retryAt };
  }
  return null;
}

/**
 * One hit on a fixed-window counter; null while within `max`, else when the window ends. The
 * window starts at its first hit, which is noted beside the counter so the page can say when
 * sending works again.
 */
async function countSend(
  deps: SmsOtpDeps,
  key: string,
  windowMs: number,
  max: number,
): Promise<number | null> {
  const { store, clock } = deps.ctx;
  const now = clock.now();
  const count = await store.hit(key, windowMs);
  if (count === 1) await store.put(windowStartKey(key), String(now), windowMs);
  if (count <= max) return null;
  const since = Number(await store.read(windowStartKey(key)));
  return (Number.isFinite(since) && since > 0 ? since : now) + windowMs;
}
