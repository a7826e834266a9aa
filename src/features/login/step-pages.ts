/**
 * The pages of one method's step: the plugin's own page inside the core's frame (with why the step
 * is asked and the way back to the login page), and the calm page of a step that cannot go on
 * (what happened, when trying again works, the other ways, the help desk).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PluginView } from '../../plugin-api.ts';
import { fill } from '../../web/i18n/catalogue.ts';
import { messagesFor, pickLocale, type Messages } from '../../web/i18n.ts';
import { sendPage } from '../../web/pages.ts';
import { loginUrl, methodPath, ownPrefix, recoveryUrl } from '../../web/paths.ts';
import { firstStepUrl, wayForms } from './chooser-routes.ts';
import type { LoginDeps } from './deps.ts';
import type { Step } from './mfa-step.ts';
import { remainingWays } from './ways.ts';

/** A method's page for this step, inside the core's layout. */
export function renderView(
  request: FastifyRequest,
  reply: FastifyReply,
  step: Step,
  view: PluginView,
  messageKey: string | null,
  status: number,
) {
  const pt = step.loaded.plugin.messages[pickLocale(request)];
  const action = methodPath(step.name);
  return sendPage(request, reply, status, view.template, (t) => pt.title ?? t.mfaTitle, {
    data: view.data,
    pt,
    messageKey,
    csrf: reply.csrfToken(),
    next: step.next,
    action,
    username: step.challenge.user.id,
    statusUrl: `${action}/status?next=${encodeURIComponent(step.next)}`,
    restartUrl: methodUrl(step.name, step.next, true),
    recoveryUrl: recoveryUrl(step.next),
    loginUrl: loginUrl(step.next),
    // A login begun by typing an ID (no session yet) can begin again with another one.
    startedFromId: step.flow !== null,
    reason: stepReason(messagesFor(pickLocale(request)), step),
  });
}

/** The admin console's pages, which ask their own rule's methods again. */
const ADMIN_PREFIX = `${ownPrefix}admin`;

/**
 * Why this step is asked, for a session that already proved something: changing one's
 * authenticators, the admin console, a proof grown too old (`reauth=`), or a page that needs more.
 * Null for a login from nothing, which explains itself.
 */
export function stepReason(t: Messages, step: Step): string | null {
  const { session, next } = step;
  if (session === null) return null;
  if (step.reproving) return t.steps.reasonReprove;
  if (next.startsWith(ADMIN_PREFIX)) return t.steps.reasonAdmin;
  if (session.data.proven.includes(step.name)) return t.steps.reasonReauth;
  return fill(t.steps.reasonStepUp, { path: next.split('?')[0] ?? '/' });
}

/** What went wrong and the ways on, for a step that could not start or is over. */
export interface StepProblem {
  readonly messageKey: string;
  /** Trying again later may work (then the page offers it); false when someone must act first. */
  readonly retry: boolean;
  /** When trying again works (ms), if known. */
  readonly retryAt?: number;
}

/**
 * A calm page: what went wrong in the plugin's words, when trying again works, the rule's other
 * ways (with what each needs), the help desk and the login page. Never a dead end.
 */
export async function problemPage(
  gateway: LoginDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  step: Step,
  problem: StepProblem,
) {
  const pt = step.loaded.plugin.messages[pickLocale(request)];
  const passwordless = step.loaded.plugin.passwordless && step.session === null;
  const { retry, retryAt } = problem;
  const href = methodUrl(step.name, step.next, !retry);
  const ways = (remainingWays(gateway, request, step.session, step.next) ?? []).filter(
    (way) => way[0] !== step.name,
  );
  const now = gateway.clock.now();
  return sendPage(request, reply, retry ? 503 : 403, 'mfa-problem', (t) => pt.title ?? t.mfaTitle, {
    message: pt[problem.messageKey] ?? messagesFor(pickLocale(request)).stepFailed,
    // Rounded up to the minute: the page shows hours and minutes, never a time that is too early.
    retryAt: retryAt === undefined || retryAt <= now ? null : Math.ceil(retryAt / 60_000) * 60_000,
    retryMinutes: retryAt === undefined ? 0 : Math.max(1, Math.ceil((retryAt - now) / 60_000)),
    // Trying again, or starting a passwordless login over; the login page is linked below anyway.
    link: retry || passwordless ? { href, retry } : null,
    loginUrl: loginUrl(step.next),
    recoveryUrl: recoveryUrl(step.next),
    // The step has read the session's user already; a flow's typed ID is no proof of who this is.
    ...(await wayForms(gateway, request, reply, step.session ? step.account : null, ways, step.next)),
  });
}

export function methodUrl(name: string, next: string, restart = false): string {
  const base = firstStepUrl(name, next);
  return restart ? `${base}&restart=1` : base;
}
