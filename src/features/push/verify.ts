/**
 * `verify` (docs/push.md §4): the browser's tokens against an approved push of the same user,
 * recent enough, once. A success makes the login's environment known.
 */
import type { PushVerifyRequest } from '../../plugin-api.ts';
import { PATTERNS } from '../../../views/static/push/protocol.js';
import type { PushContext } from './context.ts';
import { rememberEnvironment } from './environments.ts';
import { computeTokens, tokensMatch } from './tokens.ts';
import { markOnce, pushKeys, readDecision, readTransaction } from './transactions.ts';

type Refusal = 'malformed' | 'unknown' | 'other_user' | 'not_approved' | 'expired' | 'mismatch' | 'used';

export async function verifyPush(ctx: PushContext, request: PushVerifyRequest): Promise<boolean> {
  const refusal = await check(ctx, request);
  const audited = { userId: request.userId, actor: request.userId };
  if (refusal !== null) {
    const transactionId = refusal === 'malformed' ? undefined : request.transactionId;
    ctx.log.warn({ user: request.userId, transactionId, reason: refusal }, 'push tokens refused');
    await ctx.audit({
      ...audited,
      event: 'push.tokens_refused',
      outcome: 'failure',
      detail: { reason: refusal },
    });
    return false;
  }
  await ctx.audit({
    ...audited,
    event: 'push.tokens_verified',
    outcome: 'success',
    detail: { transactionId: request.transactionId },
  });
  return true;
}

async function check(ctx: PushContext, request: PushVerifyRequest): Promise<Refusal | null> {
  const { store } = ctx;
  if (!PATTERNS.transactionId.test(request.transactionId)) return 'malformed';
  const tx = await readTransaction(store, request.transactionId);
  if (!tx || tx.decoy) return 'unknown';
  if (tx.userId !== request.userId) return 'other_user';
  const decision = await readDecision(store, tx.id);
  if (!decision || decision.outcome !== 'approved') return 'not_approved';
  const now = ctx.clock.now();
  if (now - decision.at > ctx.settings.tokenTtlSeconds * 1000) return 'expired';
  if (!tokensMatch(computeTokens(ctx.secret, tx.id, decision.nonce), request)) return 'mismatch';
  if (!(await markOnce(store, pushKeys.used(tx.id), tx, now))) return 'used';
  const days = ctx.settings.knownEnvironmentDays;
  await rememberEnvironment(store, ctx.secret, tx.userId, tx.client, days);
  return null;
}
