/**
 * Starting a push: show the live one again, or ask the push service for a fresh one. A decoy
 * (unknown or locked ID) takes the very same path; only the service is told, so that it contacts
 * nobody and can never approve, and the page is identical for every ID.
 */
import type { ChallengeProblem, ChallengeRequest, StartResult } from '../../src/plugin-api.ts';
import type { FlowTransaction, MamoruDeps } from './deps.ts';
import { readFlowTransaction, saveFlowTransaction } from './deps.ts';
import type { MessageKey } from './messages.ts';
import { waitView } from './wait-page.ts';

type StartRequest = ChallengeRequest & { readonly resend: boolean };

const problem = (messageKey: MessageKey): ChallengeProblem => ({ kind: 'problem', messageKey, retry: true });

/** Implements `AuthMethod.start` for MAMORU. */
export async function startPush(deps: MamoruDeps, request: StartRequest): Promise<StartResult> {
  const decoy = request.decoy === true;
  const live = await readFlowTransaction(deps, request.flowId, request.user.id);
  // A reload of the wait page must not push again: the phone would show two requests.
  if (live !== null && isShowable(deps, live, decoy) && !request.resend) {
    return { kind: 'started', view: waitView(deps, live) };
  }
  const { ctx } = deps;
  const result = await deps.push.start({
    userId: request.user.id,
    ip: request.client.ip,
    userAgent: request.client.userAgent,
    path: request.target ?? '/',
    decoy,
  });
  if (result.kind !== 'started') {
    ctx.log.warn({ user: request.user.id, reason: result.kind }, 'push not started');
    await auditStart(deps, request, 'failure', { reason: result.kind });
    return problem(result.kind);
  }
  const tx: FlowTransaction = {
    transactionId: result.transactionId,
    number: result.number,
    expiresAt: result.expiresAt,
    userId: request.user.id,
    decoy,
  };
  // Replacing the record is what retires the earlier push for this flow: its tokens no longer fit.
  await saveFlowTransaction(deps, request.flowId, tx);
  await auditStart(deps, request, 'success', { transactionId: tx.transactionId });
  const replacing = live !== null && request.resend;
  return { kind: 'started', view: waitView(deps, tx, replacing ? { notice: 'resent' } : {}) };
}

/** Still waiting for the phone, and started for the same kind of flow (a decoy never turns real). */
function isShowable(deps: MamoruDeps, tx: FlowTransaction, decoy: boolean): boolean {
  return tx.decoy === decoy && tx.expiresAt > deps.ctx.clock.now();
}

async function auditStart(
  deps: MamoruDeps,
  request: StartRequest,
  outcome: 'success' | 'failure',
  detail: Record<string, unknown>,
): Promise<void> {
  await deps.ctx.audit({
    event: 'start',
    outcome,
    userId: request.user.id,
    client: request.client,
    detail: { ...detail, resend: request.resend, decoy: request.decoy === true },
  });
}
