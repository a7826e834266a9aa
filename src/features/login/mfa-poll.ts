import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoginFlows } from '../../core/login-flows.ts';
import type { LoginDeps } from './deps.ts';
import { messagesFor, pickLocale } from '../../web/i18n.ts';
import { resolveStep } from './mfa-step.ts';
import { safeReturnPath } from '../../web/pages.ts';

type Request = FastifyRequest<{ Params: { method: string } }>;

/** Where the wait page sends the user when the attempt is over. */
type WayOn = (request: Request, next: string) => { href: string; label: string };

/**
 * `GET /_sekisho/mfa/<NAME>/status`: the wait page's script asks whether the out-of-band
 * answer has come. Bound to the same session or flow as the page, so the answer (one-time
 * tokens) is only ever handed to the browser that started the attempt.
 */
export function pollRoute(gateway: LoginDeps, flows: LoginFlows, wayOn: WayOn) {
  return async (request: Request, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
    const next = safeReturnPath((request.query as { next?: unknown }).next);
    const outcome = await resolveStep(gateway, flows, request, request.params.method, next);
    const t = messagesFor(pickLocale(request));
    const over = (message: string) => ({ state: 'dead', message, ...wayOn(request, next) });
    if (outcome.kind === 'unknown-method') return reply.code(404).send({ error: 'not_found' });
    // Settled elsewhere (another tab finished, or the rules changed): follow the way on.
    if (outcome.kind === 'redirect') return { state: 'go', href: outcome.location };
    if (outcome.kind !== 'step') return over(t.stepFailed);
    const { loaded, challenge } = outcome.step;
    if (!loaded.method.poll) return reply.code(404).send({ error: 'not_found' });
    const result = await loaded.method.poll(challenge);
    if (result.kind === 'pending') return { state: 'pending' };
    if (result.kind === 'ready') return { state: 'ready', fields: result.fields };
    const pt = loaded.plugin.messages[pickLocale(request)];
    return over(pt[result.messageKey] ?? t.stepFailed);
  };
}
