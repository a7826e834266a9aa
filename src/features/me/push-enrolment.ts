/**
 * "Add a phone for push" on /me: the user issues their own push activation (as `sekisho push
 * enroll` and the console do) and the page shows its link and QR code, to open on the phone. It is
 * a factor enrolment, so it passes the same guard as every other (a factor besides the password
 * proven in the last 10 minutes), and it is a POST: a page that makes a credential is never a GET.
 * The activation is single use and short-lived (`push.activationTtlSeconds`); the push service
 * audits it as `push.activation_created` with the user as the actor.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { qrSvg } from '../../web/qr-code.ts';
import { sendMessage, sendPage } from '../../web/pages.ts';
import { clientOf } from '../../web/session-cookie.ts';
import type { Me, MeHelpers } from './authenticator-routes.ts';
import type { MeDeps } from './deps.ts';

/** Where the /me page posts to add a phone. */
export const PUSH_ENROL_PATH = '/_sekisho/me/push/enrol';

/** The change guard of /me's authenticators: true when the change may go ahead, else false with the answer sent. */
export type ChangeGuard = (request: FastifyRequest, reply: FastifyReply, who: Me) => Promise<boolean>;

/** Whether /me offers to add a push phone: the gateway's own push service and the MAMORU method. */
export function offersPushEnrolment(gateway: Pick<MeDeps, 'push' | 'methods'>): boolean {
  return gateway.push !== null && gateway.methods.has('MAMORU');
}

export async function pushEnrolmentRoutes(
  app: FastifyInstance,
  gateway: Pick<MeDeps, 'push' | 'methods'>,
  me: Pick<MeHelpers, 'identify'> & { mayChange: ChangeGuard },
): Promise<void> {
  // Each activation is a row and an audit event: fewer a minute than the other forms.
  const form = { preHandler: app.csrfProtection, config: { rateLimit: { max: 10, timeWindow: 60_000 } } };

  app.post(PUSH_ENROL_PATH, form, async (request, reply) => {
    const who = await me.identify(request, reply);
    if (!who) return reply;
    const push = gateway.push;
    if (!push || !offersPushEnrolment(gateway))
      return sendMessage(request, reply, { status: 404, message: (t) => t.notFound });
    if (!(await me.mayChange(request, reply, who))) return reply;
    const activation = await push.createActivation(who.account.id, {
      actor: who.account.id,
      ...clientOf(request),
    });
    return sendPage(request, reply, 200, 'me-push-enrol', (t) => t.me.pushEnrolTitle, {
      url: activation.url,
      qrSvg: await qrSvg(activation.url),
      expiresAt: activation.expiresAt,
    });
  });
}
