/**
 * Where a flow's push stands, for the wait page's script (about once a second) and for the
 * no-JavaScript button. The first poll after the approval receives the tokens, which go to the
 * browser and come back with the form; the plugin never keeps them.
 */
import type { ChallengeRequest, PollResult, PushState, PushTokens } from '../../src/plugin-api.ts';
import type { FlowTransaction, MamoruDeps } from './deps.ts';
import { forgetFlowTransaction, readFlowTransaction } from './deps.ts';
import type { MessageKey } from './messages.ts';
import { TOKEN_FIELDS } from './wait-page.ts';

/** Where a push stands, as the plugin sees it. */
type PushStanding =
  | { readonly kind: 'pending' }
  | { readonly kind: 'unavailable' }
  | { readonly kind: 'approved'; readonly tokens: PushTokens }
  | { readonly kind: 'over'; readonly messageKey: MessageKey };

/** The message for a push that can no longer log anyone in. */
const OVER: Readonly<Record<Exclude<PushState, 'pending' | 'approved'>, MessageKey>> = {
  denied: 'denied',
  wrong_number: 'wrongNumber',
  expired: 'expired',
  revoked: 'deviceRevoked',
};

/** Asks the service about `tx`. */
export async function standingOf(deps: MamoruDeps, tx: FlowTransaction): Promise<PushStanding> {
  const result = await deps.push.poll(tx.transactionId);
  if (result.kind === 'unavailable') return result;
  const { state, tokens } = result;
  if (state === 'pending') return { kind: 'pending' };
  if (state === 'approved') {
    // Released once: a second tab, or a poll after the form was sent, finds them gone.
    return tokens === undefined ? { kind: 'over', messageKey: 'alreadyUsed' } : { kind: 'approved', tokens };
  }
  return { kind: 'over', messageKey: OVER[state] };
}

/** Implements `AuthMethod.poll` for MAMORU. */
export async function pollPush(deps: MamoruDeps, request: ChallengeRequest): Promise<PollResult> {
  const tx = await readFlowTransaction(deps, request.flowId, request.user.id);
  if (tx === null) return { kind: 'dead', messageKey: 'expired' };
  const standing = await standingOf(deps, tx);
  switch (standing.kind) {
    // The service cannot be reached: the page keeps polling, and the push expires on its own
    // if the outage lasts; a blip must not end a login the user may be approving right now.
    case 'unavailable':
    case 'pending':
      return { kind: 'pending' };
    case 'approved':
      return { kind: 'ready', fields: tokenFields(standing.tokens) };
    case 'over':
      // Denied, expired or a wrong number: the next start pushes afresh instead of showing this one
      // again. An approval whose tokens went to another tab stays, for that tab's form.
      if (standing.messageKey !== 'alreadyUsed') await forgetFlowTransaction(deps, request.flowId);
      return { kind: 'dead', messageKey: standing.messageKey };
  }
}

/** The tokens as the form's answer fields. */
export function tokenFields(tokens: PushTokens): Record<string, string> {
  return { [TOKEN_FIELDS.token1]: tokens.token1, [TOKEN_FIELDS.token2]: tokens.token2 };
}
