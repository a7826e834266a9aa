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

const problem = (messageKey: MessageKey, retryAt?: number): ChallengeProblem => ({
  kind: 'problem',
  messageKey,
  retry: true,
  ...(retryAt === undefined ? {} : { retryAt }),
});

/** Implements `AuthMethod.start` for MAMORU. */
export async function startPush(deps: MamoruDeps, request: StartRequest): Promise<StartResult> {
  const decoy = request.decoy === true;
  if (request.identified === true && !decoy && (await hasNoDevice(deps, request.user.id))) {
    await auditStart(deps, request, 'failure', { reason: 'no-device' });
    return { kind: 'problem', messageKey: 'noDevice', retry: false };
  }
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
    return problem(result.kind, result.kind === 'busy' ? result.retryAt : undefined);
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

/**
 * After the user has proven who they are, a push to no phone is a wait for nothing: say so. Only
 * the gateway's own service can tell (a remote one keeps its devices to itself); before the first
 * proof the decoy rule holds and every ID gets the same wait page.
 */
async function hasNoDevice(deps: MamoruDeps, userId: string): Promise<boolean> {
  const list = deps.push.listDevices;
  if (!list) return false;
  const devices = await list.call(deps.push, userId);
  return !devices.some((device) => device.revokedAt === null);
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
