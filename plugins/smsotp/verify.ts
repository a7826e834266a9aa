/**
 * Checking an answer. The store compares MACs and counts attempts atomically; this side only
 * normalises what was typed, keeps the page's meta in step with the challenge and audits each check.
 */
import type { ChallengeRequest, VerifyResult } from '../../src/plugin-api.ts';
import type { SmsOtpDeps } from './deps.ts';
import { codeHash, flowKeys } from './deps.ts';
import { otpView, parseMeta } from './otp-page.ts';

type VerifyRequest = ChallengeRequest & { readonly answer: Readonly<Record<string, string>> };

const DEAD: VerifyResult = { kind: 'dead', messageKey: 'expiredOrExhausted' };

/**
 * What the user typed, made comparable: NFKC turns full-width digits from a Japanese IME into ASCII,
 * and spaces or hyphens some people type to group digits are dropped.
 */
export function normaliseAnswer(raw: string | undefined): string {
  return (raw ?? '').normalize('NFKC').replace(/[\s-]/g, '');
}

/** Implements `AuthMethod.verify` for SMS OTP. */
export async function verifyAnswer(deps: SmsOtpDeps, request: VerifyRequest): Promise<VerifyResult> {
  const { ctx } = deps;
  const { user, flowId } = request;
  const keys = flowKeys(ctx, user.id, flowId);
  const answer = normaliseAnswer(request.answer.otp);
  const meta = parseMeta(await ctx.store.read(keys.meta));
  if (answer === '') {
    // An empty submit is a slip, not a guess: show the page again without spending an attempt.
    return meta === null ? DEAD : { kind: 'wrong', view: otpView(deps, meta), messageKey: 'emptyCode' };
  }
  const wellFormed = new RegExp(`^\\d{${deps.settings.otp.length}}$`).test(answer);
  // A malformed answer still counts: its MAC can never match, and guessing must cost an attempt.
  const attempt = await ctx.store.attemptChallenge(keys.challenge, codeHash(ctx, user.id, flowId, answer));
  if (attempt.outcome === 'ok') {
    await ctx.store.remove(keys.meta);
    await auditCheck(deps, request, 'success', { attemptsLeft: attempt.attemptsLeft });
    return { kind: 'ok' };
  }
  if (attempt.outcome === 'wrong' && meta !== null) {
    const reason = wellFormed ? 'wrong-code' : 'malformed';
    await auditCheck(deps, request, 'failure', { reason, attemptsLeft: attempt.attemptsLeft });
    const view = otpView(deps, meta, { attemptsLeft: attempt.attemptsLeft });
    return { kind: 'wrong', view, messageKey: 'wrongCode' };
  }
  // Dead (expired, used, exhausted), or a challenge whose meta has gone: start over either way.
  await ctx.store.remove(keys.meta);
  await ctx.store.discardChallenge(keys.challenge);
  await auditCheck(deps, request, 'failure', { reason: meta === null ? 'expired-or-used' : 'exhausted' });
  return DEAD;
}

async function auditCheck(
  deps: SmsOtpDeps,
  request: VerifyRequest,
  outcome: 'success' | 'failure',
  detail: Record<string, unknown>,
): Promise<void> {
  await deps.ctx.audit({ event: 'check', outcome, userId: request.user.id, client: request.client, detail });
}
