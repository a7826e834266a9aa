/**
 * Checking a code against a user's secrets. Each step is accepted at most once per user: the
 * matched step is marked in the shared store with put-if-absent, so two instances that receive
 * the same code at once cannot both accept it. Attempts are counted before the check, atomically,
 * in a window of `otp.ttlSeconds`, and capped at `otp.maxAttempts` like an SMS code.
 */
import type { PluginContext, StoredCredential } from '../../src/plugin-api.ts';
import { matchingStep, PERIOD_SECONDS, WINDOW } from './algorithm.ts';
import type { TotpConfig } from './config.ts';

type Ctx = PluginContext<TotpConfig>;

/** Long enough to outlive every timestamp at which the step's code is still accepted. */
const USED_TTL_MS = (2 * WINDOW + 2) * PERIOD_SECONDS * 1000;

export type CheckOutcome =
  | { readonly kind: 'ok'; readonly credentialId: string | null }
  | { readonly kind: 'wrong'; readonly attemptsLeft: number }
  /** The code was right but its step was used already (a replay). */
  | { readonly kind: 'used'; readonly attemptsLeft: number }
  /** Over the attempt cap: not checked. */
  | { readonly kind: 'refused' };

/** A secret to check against: a stored credential's, or a pending enrolment's (no ID yet). */
export interface Candidate {
  readonly credentialId: string | null;
  readonly secret: string;
}

/** The keys of one user, named by a MAC so the user ID is not readable in the store. */
export function userKeys(ctx: Ctx, userId: string) {
  const user = ctx.mac('TOTP:user', userId);
  return {
    failures: `fails:${user}`,
    pending: `pending:${user}`,
    used: (step: number) => `used:${user}:${step}`,
  };
}

/** What the user typed, made comparable (full-width digits from an IME, spaces between groups). */
export function normaliseCode(raw: string | undefined): string {
  return (raw ?? '').normalize('NFKC').replace(/[\s-]/g, '');
}

/** The stored credentials' secrets, opened. */
export function candidatesOf(ctx: Ctx, credentials: readonly StoredCredential[]): Candidate[] {
  return credentials.flatMap((credential) => {
    const sealed = credential.data.secret;
    return typeof sealed === 'string'
      ? [{ credentialId: credential.id, secret: ctx.sealed.open(sealed) }]
      : [];
  });
}

/** Checks `code` for `userId` against the candidates, counting the attempt first. */
export async function checkCode(
  ctx: Ctx,
  userId: string,
  code: string,
  candidates: readonly Candidate[],
): Promise<CheckOutcome> {
  const keys = userKeys(ctx, userId);
  const max = ctx.gateway.otp.maxAttempts;
  const attempts = await ctx.store.hit(keys.failures, ctx.gateway.otp.ttlSeconds * 1000);
  if (attempts > max) return { kind: 'refused' };
  const now = ctx.clock.now();
  for (const candidate of candidates) {
    const step = matchingStep(candidate.secret, code, now);
    if (step === null) continue;
    const first = await ctx.store.putIfAbsent(keys.used(step), '1', USED_TTL_MS);
    if (!first) return { kind: 'used', attemptsLeft: max - attempts };
    await ctx.store.reset(keys.failures);
    return { kind: 'ok', credentialId: candidate.credentialId };
  }
  return { kind: 'wrong', attemptsLeft: max - attempts };
}
