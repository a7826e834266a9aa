/**
 * Checking the answer the wait page posts: the two tokens of this flow's approved push, checked
 * by the push service against this flow's transaction and this user, single use. Without tokens
 * (the no-JavaScript button) the plugin asks the service itself where the push stands.
 */
import type { ChallengeRequest, PushTokens, VerifyResult } from '../../src/plugin-api.ts';
import type { FlowTransaction, MamoruDeps } from './deps.ts';
import { forgetFlowTransaction, readFlowTransaction } from './deps.ts';
import type { MessageKey } from './messages.ts';
import { standingOf } from './poll.ts';
import { TOKEN_FIELDS, waitView } from './wait-page.ts';

type VerifyRequest = ChallengeRequest & { readonly answer: Readonly<Record<string, string>> };

const dead = (messageKey: MessageKey): VerifyResult => ({ kind: 'dead', messageKey });

/** Printable, bounded: anything else is not worth a call to the service. */
const TOKEN_SHAPE = /^[\x21-\x7e]{1,512}$/;

/** Implements `AuthMethod.verify` for MAMORU. */
export async function verifyPush(deps: MamoruDeps, request: VerifyRequest): Promise<VerifyResult> {
  const tx = await readFlowTransaction(deps, request.flowId, request.user.id);
  if (tx === null) {
    await auditCheck(deps, request, 'failure', { reason: 'no-transaction' });
    return dead('expired');
  }
  const token1 = request.answer[TOKEN_FIELDS.token1] ?? '';
  const token2 = request.answer[TOKEN_FIELDS.token2] ?? '';
  if (token1 !== '' || token2 !== '') return checkTokens(deps, request, tx, { token1, token2 });
  return checkWithoutTokens(deps, request, tx);
}

/** The no-JavaScript path: the page could not fetch the tokens, so the plugin does. */
async function checkWithoutTokens(
  deps: MamoruDeps,
  request: VerifyRequest,
  tx: FlowTransaction,
): Promise<VerifyResult> {
  const standing = await standingOf(deps, tx);
  switch (standing.kind) {
    case 'approved':
      return checkTokens(deps, request, tx, standing.tokens);
    case 'pending':
      return { kind: 'refused', view: waitView(deps, tx), messageKey: 'notYet' };
    case 'unavailable':
      return { kind: 'refused', view: waitView(deps, tx), messageKey: 'unavailable' };
    case 'over':
      await forgetFlowTransaction(deps, request.flowId);
      await auditCheck(deps, request, 'failure', { reason: standing.messageKey, tx: tx.transactionId });
      return dead(standing.messageKey);
  }
}

/**
 * Asks the service to accept the tokens for this flow's transaction and this user: tokens of
 * another flow's push, of another user or already used are refused there. A decoy is asked too,
 * so that its answer takes as long as a real one, and is refused whatever the service says.
 */
async function checkTokens(
  deps: MamoruDeps,
  request: VerifyRequest,
  tx: FlowTransaction,
  tokens: PushTokens,
): Promise<VerifyResult> {
  const wellFormed = TOKEN_SHAPE.test(tokens.token1) && TOKEN_SHAPE.test(tokens.token2);
  const accepted =
    wellFormed &&
    (await deps.push.verify({ transactionId: tx.transactionId, userId: request.user.id, ...tokens })) &&
    !tx.decoy &&
    request.decoy !== true;
  // Either way the flow's push is spent: accepted tokens are single use, refused ones mean start over.
  await forgetFlowTransaction(deps, request.flowId);
  if (accepted) {
    await auditCheck(deps, request, 'success', { tx: tx.transactionId });
    return { kind: 'ok' };
  }
  const reason = wellFormed ? 'tokens-refused' : 'malformed';
  await auditCheck(deps, request, 'failure', { reason, tx: tx.transactionId });
  return dead('verifyFailed');
}

async function auditCheck(
  deps: MamoruDeps,
  request: VerifyRequest,
  outcome: 'success' | 'failure',
  detail: Record<string, unknown>,
): Promise<void> {
  await deps.ctx.audit({
    event: 'check',
    outcome,
    userId: request.user.id,
    client: request.client,
    detail: { ...detail, decoy: request.decoy === true },
  });
}
