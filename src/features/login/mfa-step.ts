import { mfaUrl } from '../../web/paths.ts';
import type { FastifyRequest } from 'fastify';
import type { LoginFlow, LoginFlows } from '../../core/login-flows.ts';
import type { LoadedMethod } from '../../core/plugin-host.ts';
import type { ActiveSession } from '../../core/session-service.ts';
import { decideAccess } from '../../domain/rules/decide.ts';
import type { AccessDecision } from '../../domain/rules/types.ts';
import type { ChallengeRequest, PluginUser } from '../../plugin-api.ts';
import type { UserRecord } from '../../ports/users.ts';
import type { LoginDeps } from './deps.ts';
import { clientOf, cookieNames } from '../../web/session-cookie.ts';

/** One method's step for one browser: who, bound to what, on the way to where. */
export interface Step {
  readonly name: string;
  readonly loaded: LoadedMethod;
  /** The session this step adds to; null for a passwordless login that starts from an ID. */
  readonly session: ActiveSession | null;
  /** The passwordless flow (ID typed, no session yet), when there is no session. */
  readonly flow: LoginFlow | null;
  /** The auth DB's record; null when the typed ID is unknown. */
  readonly account: UserRecord | null;
  readonly next: string;
  readonly challenge: ChallengeRequest;
  /** A signed-in user proving a method again that the rules do not ask for (changing authenticators). */
  readonly reproving: boolean;
}

export type StepOutcome =
  | { readonly kind: 'step'; readonly step: Step }
  /** A passwordless method with neither session nor flow: ask for the ID. */
  | { readonly kind: 'identify'; readonly name: string; readonly loaded: LoadedMethod }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'unknown-method' }
  /** The session's user was deleted or locked meanwhile: the session is ended. */
  | { readonly kind: 'session-gone' };

/**
 * The access decision for `next` as this browser stands (its session, Host and address; request.ip
 * is read with the same trustProxy semantics as the pipeline's client reader). The MFA steps and
 * the chooser's ways both decide through it.
 */
export function decisionFor(
  gateway: LoginDeps,
  request: FastifyRequest,
  session: ActiveSession | null,
  next: string,
): AccessDecision {
  const target = {
    host: request.headers.host ?? null,
    rawPath: next.split('?')[0] ?? '/',
    client: request.ip,
  };
  return decideAccess(
    gateway.rules.current,
    target,
    session?.data ?? null,
    gateway.catalogue,
    gateway.clock.now(),
  );
}

/** The methods still missing for `next`, or null when the session may go there now. */
export function missingMethods(
  gateway: LoginDeps,
  request: FastifyRequest,
  session: ActiveSession | null,
  next: string,
): string[] | null {
  const decision = decisionFor(gateway, request, session, next);
  return decision.kind === 'authenticate' ? [...decision.next] : null;
}

/** Works out which step `method` is for this browser, or what to do instead. */
export async function resolveStep(
  gateway: LoginDeps,
  flows: LoginFlows,
  request: FastifyRequest,
  method: string,
  next: string,
): Promise<StepOutcome> {
  const name = gateway.catalogue.canonical(method);
  const loaded = name ? gateway.methods.get(name) : undefined;
  if (!name || !loaded) return { kind: 'unknown-method' };
  const names = cookieNames(gateway.config);
  const session = await gateway.sessions.read(request.cookies[names.session]);
  const missing = missingMethods(gateway, request, session, next);
  const reproving = session !== null && (await isReproving(gateway, session, name));
  if (!reproving && (missing === null || !missing.includes(name)))
    return { kind: 'redirect', location: mfaUrl(next) };
  const client = clientOf(request);
  if (session) {
    const account = await gateway.users.find(session.data.userId);
    if (!account || account.locked) {
      await gateway.sessions.end(session);
      return { kind: 'session-gone' };
    }
    const challenge = { user: account, flowId: session.hash, client, target: next, identified: true };
    const step = { name, loaded, session, flow: null, account, next, challenge, reproving };
    return { kind: 'step', step };
  }
  if (!loaded.plugin.passwordless)
    return { kind: 'redirect', location: `/_sekisho/login?next=${encodeURIComponent(next)}` };
  const flow = await flows.read(request.cookies[names.flow]);
  if (!flow) return { kind: 'identify', name, loaded };
  const account = await gateway.users.find(flow.userId);
  // Unknown and locked IDs get the same page as real ones (a decoy push nobody receives).
  const decoy = !account || isBarred(account, gateway.clock.now());
  const user: PluginUser = account ?? stranger(flow.userId);
  const challenge = { user, flowId: flow.hash, client, target: next, decoy };
  const step = { name, loaded, session: null, flow, account, next, challenge, reproving: false };
  return { kind: 'step', step };
}

/** How long a request to prove a method again (changing one's authenticators) waits. */
const REPROOF_TTL_MS = 10 * 60_000;

const reproofKey = (session: ActiveSession, name: string) => `reprove:${session.hash}:${name}`;

/**
 * Lets this session prove `name` again although the rules do not ask for it: changing one's own
 * authenticators needs a recent proof. It only ever adds a proof, and dies with the session ID,
 * which the proof regenerates. One permission per method, written only when absent: asking again
 * (a reload, another tab, another method) changes nothing that is pending.
 */
export async function allowReproof(gateway: LoginDeps, session: ActiveSession, name: string): Promise<void> {
  await gateway.store.putIfAbsent(reproofKey(session, name), '1', REPROOF_TTL_MS);
}

async function isReproving(gateway: LoginDeps, session: ActiveSession, name: string): Promise<boolean> {
  return (await gateway.store.read(reproofKey(session, name))) !== null;
}

/** Locked by an admin, or in a lockout after password failures. */
export function isBarred(account: UserRecord, now: number): boolean {
  return account.locked || (account.lockoutUntil !== null && account.lockoutUntil > now);
}

function stranger(id: string): PluginUser {
  return { id, displayName: '', phone: null, email: null, groups: [] };
}
