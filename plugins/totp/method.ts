/** The method's start and verify: a code page after the password, checked by check.ts. */
import type { ChallengeRequest, PluginContext, StartResult, VerifyResult } from '../../src/plugin-api.ts';
import { candidatesOf, checkCode, normaliseCode } from './check.ts';
import type { TotpConfig } from './config.ts';
import { codeView } from './pages.ts';

type Ctx = PluginContext<TotpConfig>;

/** Implements `AuthMethod.start`: the page, or a calm refusal when the user has no app enrolled. */
export async function startTotp(ctx: Ctx, request: ChallengeRequest): Promise<StartResult> {
  const enrolled = await ctx.credentials.list(request.user.id);
  if (enrolled.length === 0) return { kind: 'problem', messageKey: 'notEnrolled', retry: false };
  return { kind: 'started', view: codeView() };
}

/** Implements `AuthMethod.verify`. */
export async function verifyTotp(
  ctx: Ctx,
  request: ChallengeRequest & { readonly answer: Readonly<Record<string, string>> },
): Promise<VerifyResult> {
  const code = normaliseCode(request.answer.otp);
  if (code === '') return { kind: 'wrong', view: codeView(), messageKey: 'emptyCode' };
  const credentials = await ctx.credentials.list(request.user.id);
  if (credentials.length === 0) return { kind: 'dead', messageKey: 'notEnrolled' };
  const outcome = await checkCode(ctx, request.user.id, code, candidatesOf(ctx, credentials));
  const audit = (result: 'success' | 'failure', detail: Record<string, unknown>) =>
    ctx.audit({ event: 'check', outcome: result, userId: request.user.id, client: request.client, detail });
  switch (outcome.kind) {
    case 'ok':
      if (outcome.credentialId) await ctx.credentials.touch(outcome.credentialId);
      await audit('success', {});
      return { kind: 'ok' };
    case 'used':
      ctx.log.warn({ user: request.user.id }, 'totp code replayed');
      await audit('failure', { reason: 'replay' });
      return { kind: 'wrong', view: codeView(outcome.attemptsLeft), messageKey: 'codeUsed' };
    case 'wrong':
      await audit('failure', { reason: 'wrong-code', attemptsLeft: outcome.attemptsLeft });
      return { kind: 'wrong', view: codeView(outcome.attemptsLeft), messageKey: 'wrongCode' };
    case 'refused':
      await audit('failure', { reason: 'too-many-attempts' });
      return { kind: 'refused', view: codeView(0), messageKey: 'tooManyAttempts' };
  }
}
