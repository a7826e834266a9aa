/**
 * `poll` (docs/push.md §4): where a push stands, for the login's wait page. The tokens go out
 * with the first poll after the approval only; a put-if-absent marker makes that once.
 */
import type { PushPollResult, PushState } from '../../plugin-api.ts';
import { PATTERNS } from '../../../views/static/push/protocol.js';
import type { PushContext } from './context.ts';
import { computeTokens } from './tokens.ts';
import { markOnce, pushKeys, readDecision, readTransaction } from './transactions.ts';

export async function pollPush(ctx: PushContext, transactionId: string): Promise<PushPollResult> {
  if (!PATTERNS.transactionId.test(transactionId)) return state('expired');
  const tx = await readTransaction(ctx.store, transactionId);
  if (!tx) return state('expired');
  const now = ctx.clock.now();
  const decision = await readDecision(ctx.store, tx.id);
  if (!decision) return state(now < tx.expiresAt ? 'pending' : 'expired');
  if (decision.outcome === 'wrong_number') return state('wrong_number');
  if (decision.outcome === 'revoked') return state('revoked');
  if (decision.outcome !== 'approved') return state('denied');
  // Tokens too old to verify are no use to the browser: it must start over.
  if (now - decision.at > ctx.settings.tokenTtlSeconds * 1000) return state('expired');
  if (!(await markOnce(ctx.store, pushKeys.released(tx.id), tx, now))) return state('approved');
  return { kind: 'state', state: 'approved', tokens: computeTokens(ctx.secret, tx.id, decision.nonce) };
}

function state(value: PushState): PushPollResult {
  return { kind: 'state', state: value };
}
