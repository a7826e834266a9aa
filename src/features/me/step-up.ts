/**
 * The step-up page of self-service: changing a factor (enrolling, removing, registering or
 * changing the SMS number, adding a push phone) needs a factor other than the password proven in
 * the last 10 minutes (`changeRight`); a session without one is offered its methods to prove one
 * again, coming back to where it was.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoadedMethod } from '../../core/plugin-host.ts';
import type { UserRecord } from '../../ports/users.ts';
import { pickLocale } from '../../web/i18n.ts';
import { sendPage } from '../../web/pages.ts';
import { methodPath, recoveryUrl } from '../../web/paths.ts';
import { methodSections } from './authenticators.ts';

/** Answers 401 with the methods this user holds, each proven again from `next`, and the recovery-code way. */
export async function sendStepUp(
  methods: ReadonlyMap<string, LoadedMethod>,
  request: FastifyRequest,
  reply: FastifyReply,
  account: UserRecord,
  next: string,
): Promise<FastifyReply> {
  const sections = await methodSections(methods, account, pickLocale(request));
  const choices = sections
    .filter((s) => s.items.length > 0)
    .map((s) => ({
      href: `${methodPath(s.method)}?next=${encodeURIComponent(next)}&reprove=1`,
      label: s.label,
    }));
  return sendPage(request, reply, 401, 'me-step-up', (t) => t.authn.stepUpTitle, {
    choices,
    recoveryUrl: recoveryUrl(next),
  });
}
