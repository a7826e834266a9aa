/**
 * `verify` (docs/push.md §4): the browser's tokens against an approved push of the same user,
 * recent enough, once.
 *
 * A success does not make the login's environment known: the gateway's session service does that
 * when the login is recorded (SessionService.prove), after it has judged whether the environment
 * was new (`newdevice=`). Remembering it here first made every push login look known. Another
 * gateway using this service over the API records its sessions elsewhere, so that path remembers
 * the environment itself ({@link verifyRemotePush}).
 */
import type { PushVerifyRequest } from '../../plugin-api.ts';
import { PATTERNS } from '../../../views/static/push/protocol.js';
import type { PushContext } from './context.ts';
import { rememberEnvironment } from '../../core/known-environments.ts';
import { computeTokens, tokensMatch } from './tokens.ts';
import { markOnce, pushKeys, readDecision, readTransaction, type TransactionRecord } from './transactions.ts';

type Refusal = 'malformed' | 'unknown' | 'other_user' | 'not_approved' | 'expired' | 'mismatch' | 'used';

type Checked = { readonly refusal: Refusal } | { readonly refusal: null; readonly tx: TransactionRecord };

/** The in-process check (this gateway's MAMORU): tokens only; the session service remembers the environment. */
export async function verifyPush(ctx: PushContext, request: PushVerifyRequest): Promise<boolean> {
  return (await verifyAudited(ctx, request)) !== null;
}

/**
 * The check for another gateway (the Mamoru-style API): its logins never reach this gateway's
 * session service, so a success makes the environment known in this service's set here.
 */
export async function verifyRemotePush(ctx: PushContext, request: PushVerifyRequest): Promise<boolean> {
  const tx = await verifyAudited(ctx, request);
  if (tx === null) return false;
  await rememberEnvironment(ctx.store, ctx.secret, tx.userId, tx.client, ctx.settings.knownEnvironmentDays);
  return true;
}

/** The verified transaction, or null (refused, logged and audited). */
async function verifyAudited(
  ctx: PushContext,
  request: PushVerifyRequest,
): Promise<TransactionRecord | null> {
  const checked = await check(ctx, request);
  const audited = { userId: request.userId, actor: request.userId };
  if (checked.refusal !== null) {
    const { refusal } = checked;
    const transactionId = refusal === 'malformed' ? undefined : request.transactionId;
    ctx.log.warn({ user: request.userId, transactionId, reason: refusal }, 'push tokens refused');
    await ctx.audit({
      ...audited,
      event: 'push.tokens_refused',
      outcome: 'failure',
      detail: { reason: refusal },
    });
    return null;
  }
  await ctx.audit({
    ...audited,
    event: 'push.tokens_verified',
    outcome: 'success',
    detail: { transactionId: request.transactionId },
  });
  return checked.tx;
}

async function check(ctx: PushContext, request: PushVerifyRequest): Promise<Checked> {
  const refused = (refusal: Refusal): Checked => ({ refusal });
  const { store } = ctx;
  if (!PATTERNS.transactionId.test(request.transactionId)) return refused('malformed');
  const tx = await readTransaction(store, request.transactionId);
  if (!tx || tx.decoy) return refused('unknown');
  if (tx.userId !== request.userId) return refused('other_user');
  const decision = await readDecision(store, tx.id);
  if (!decision || decision.outcome !== 'approved') return refused('not_approved');
  const now = ctx.clock.now();
  if (now - decision.at > ctx.settings.tokenTtlSeconds * 1000) return refused('expired');
  if (!tokensMatch(computeTokens(ctx.secret, tx.id, decision.nonce), request)) return refused('mismatch');
  if (!(await markOnce(store, pushKeys.used(tx.id), tx, now))) return refused('used');
  return { refusal: null, tx };
}
