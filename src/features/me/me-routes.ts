import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SessionAdmin, type SessionActor } from '../../core/session-admin.ts';
import type { ActiveSession } from '../../core/session-service.ts';
import { sessionRows } from './listings.ts';
import { offersPushEnrolment, PUSH_ENROL_PATH, pushEnrolmentRoutes } from './push-enrolment.ts';
import { authenticatorRoutes } from './authenticator-routes.ts';
import { changeRight, hasAnyFactor, methodSections } from './authenticators.ts';
import { sendStepUp } from './step-up.ts';
import { FEW_RECOVERY_CODES } from '../../core/recovery-codes.ts';
import { PhoneChange, type PhoneChangeActor, type PhoneChangeResult } from './phone-change.ts';
import { maskPhone } from '../../plugin-api.ts';
import type { UserRecord } from '../../ports/users.ts';
import type { MeDeps } from './deps.ts';
import { messagesFor, pickLocale, type Messages } from '../../web/i18n.ts';
import { sendMessage, sendPage, wantsHtml } from '../../web/pages.ts';
import { clientOf, cookieNames } from '../../web/session-cookie.ts';
import { localShell, shellOf } from '../../web/shell.ts';

/** The self-service pages: my sessions, my authenticators (push phones among them), my phone number. */
const ME_PATH = '/_sekisho/me';
const PHONE_PATH = `${ME_PATH}/phone`;

type Body = Record<string, unknown>;
type MeMessages = Messages['me'];

/** Who is on the page: a live session and the account behind it. */
interface Me {
  readonly session: ActiveSession;
  readonly account: UserRecord;
}

/** Outcomes a form reports back on the overview (Post/Redirect/Get), with their tone. */
const notices = {
  'session-ended': { tone: 'info', key: 'sessionEnded' },
  'sessions-ended': { tone: 'info', key: 'sessionsEnded' },
  'phone-changed': { tone: 'info', key: 'phoneChanged' },
  'credential-enrolled': { tone: 'info', key: 'credentialEnrolled' },
  'credential-removed': { tone: 'info', key: 'credentialRemoved' },
  'credential-renamed': { tone: 'info', key: 'credentialRenamed' },
  'no-such-credential': { tone: 'error', key: 'noSuchCredential' },
  'no-such-session': { tone: 'error', key: 'noSuchSession' },
  'current-session': { tone: 'error', key: 'currentSession' },
} as const satisfies Record<string, { tone: 'info' | 'error'; key: keyof MeMessages }>;

type NoticeName = keyof typeof notices;
const noticeOf = (value: unknown) =>
  typeof value === 'string' && Object.hasOwn(notices, value) ? notices[value as NoticeName] : null;

/**
 * Needs a live session of any level; without one a browser goes to the login page and comes back.
 * Every form carries `_csrf`; ending a session goes through SessionService, whose store every
 * instance shares, so the ended session is refused at once everywhere.
 */
export async function meRoutes(app: FastifyInstance, gateway: MeDeps) {
  const { password } = gateway.config;
  const sessionCookie = cookieNames(gateway.config).session;
  const phoneChange = new PhoneChange({
    users: gateway.users,
    passwordLogin: gateway.passwordLogin,
    store: gateway.store,
    audit: gateway.audit,
    sms: gateway.methods.get('SMSOTP')?.method ?? null,
    pendingTtlMs: gateway.config.otp.ttlSeconds * 1000,
  });
  // The console's session listing and revocation, with the self-service audit events.
  const sessionAdmin = new SessionAdmin({
    sessions: gateway.sessions,
    audit: gateway.audit,
    secret: gateway.secret,
    events: { revoke: 'me.session.end', revokeAll: 'me.session.end_others' },
  });
  const forms = { preHandler: app.csrfProtection, config: { rateLimit: { max: 60, timeWindow: 60_000 } } };
  // The phone forms check a password: the login form's per-IP budget applies.
  const passwordForms = {
    preHandler: app.csrfProtection,
    config: { rateLimit: { max: password.ipMaxAttempts, timeWindow: password.ipWindowSeconds * 1000 } },
  };

  /** The session and account, or null after answering (login redirect or 401). */
  async function identify(request: FastifyRequest, reply: FastifyReply): Promise<Me | null> {
    const session = await gateway.sessions.read(request.cookies[sessionCookie]);
    const account = session ? await gateway.users.find(session.data.userId) : null;
    if (session && account && !account.locked) return { session, account };
    if (session) await gateway.sessions.end(session);
    const login = `/_sekisho/login?next=${encodeURIComponent(ME_PATH)}`;
    if (!wantsHtml(request))
      await reply
        .code(401)
        .header('cache-control', 'no-store')
        .send({ error: 'authentication_required', login });
    else
      await reply
        .code(request.method === 'GET' ? 302 : 303)
        .header('location', login)
        .send();
    return null;
  }

  const sessionActor = (request: FastifyRequest, me: Me): SessionActor => ({
    id: me.account.id,
    ...clientOf(request),
  });
  const back = (reply: FastifyReply, notice: NoticeName) =>
    reply
      .code(303)
      .header('location', `${ME_PATH}?notice=${notice}`)
      .header('cache-control', 'no-store')
      .send();

  const authenticators = await authenticatorRoutes(app, gateway, { identify, back });
  await pushEnrolmentRoutes(app, gateway, { identify, mayChange: authenticators.mayChange });

  app.get(ME_PATH, async (request, reply) => {
    const me = await identify(request, reply);
    if (!me) return reply;
    const locale = pickLocale(request);
    const notice = noticeOf((request.query as Body).notice);
    // Times as every page writes them: the page's language, the gateway's zone (config timeZone).
    const { dateTime } = localShell(shellOf(request.server), locale);
    return sendPage(request, reply, 200, 'me', (t) => t.me.title, {
      csrf: reply.csrfToken(),
      user: { id: me.account.id, displayName: me.account.displayName },
      phone: me.account.phone ? maskPhone(me.account.phone) : null,
      sessions: sessionRows(await sessionAdmin.list(me.account.id, me.session.hash), dateTime),
      // Push devices are listed once, among the authenticators (MAMORU), with the way to add one.
      authenticators: await methodSections(gateway.methods, me.account, locale, dateTime),
      pushEnrol: offersPushEnrolment(gateway) ? PUSH_ENROL_PATH : null,
      renamable: [...gateway.methods]
        .filter(([, { method }]) => method.credentials?.rename)
        .map(([name]) => name),
      recoveryLeft: await authenticators.remaining(me.account.id),
      fewRecoveryCodes: FEW_RECOVERY_CODES,
      notice: notice ? { tone: notice.tone, text: messagesFor(locale).me[notice.key] } : null,
    });
  });

  app.post<{ Body: Body }>(`${ME_PATH}/sessions/end`, forms, async (request, reply) => {
    const me = await identify(request, reply);
    if (!me) return reply;
    const id = typeof request.body?.session === 'string' ? request.body.session.slice(0, 64) : '';
    // Looked up among this user's own sessions only: an ID from anywhere else is simply not found.
    const outcome = await sessionAdmin.revoke(me.account.id, id, sessionActor(request, me), {
      keep: me.session.hash,
    });
    const notice = { ended: 'session-ended', gone: 'no-such-session', current: 'current-session' } as const;
    return back(reply, notice[outcome]);
  });

  app.post(`${ME_PATH}/sessions/end-others`, forms, async (request, reply) => {
    const me = await identify(request, reply);
    if (!me) return reply;
    await sessionAdmin.revokeAll(me.account.id, sessionActor(request, me), { keep: me.session.hash });
    return back(reply, 'sessions-ended');
  });

  app.get(`${ME_PATH}/phone`, async (request, reply) => {
    const me = await identify(request, reply);
    if (!me) return reply;
    const actor = await actorOf(request, me);
    if (phoneChange.mode(me.account, actor.right) === 'step-up')
      return sendStepUp(gateway.methods, request, reply, me.account, PHONE_PATH);
    return phoneForm(request, reply, me, actor, 200, null, '');
  });

  app.post<{ Body: Body }>(`${ME_PATH}/phone`, passwordForms, async (request, reply) => {
    const me = await identify(request, reply);
    if (!me) return reply;
    const actor = await actorOf(request, me);
    // Nothing typed is looked at (not even the password) before a factor is proven again.
    if (phoneChange.mode(me.account, actor.right) === 'step-up')
      return sendStepUp(gateway.methods, request, reply, me.account, PHONE_PATH);
    const body = request.body ?? {};
    const typed = typeof body.phone === 'string' ? body.phone.slice(0, 64) : '';
    const secret = typeof body.password === 'string' ? body.password.slice(0, 1024) : '';
    const result = await phoneChange.start(actor, secret, typed);
    return answer(request, reply, me, actor, result, typed);
  });

  app.post<{ Body: Body }>(`${ME_PATH}/phone/confirm`, passwordForms, async (request, reply) => {
    const me = await identify(request, reply);
    if (!me) return reply;
    const body = request.body ?? {};
    const otp = typeof body.otp === 'string' ? body.otp.slice(0, 32) : '';
    const actor = await actorOf(request, me);
    const result = await phoneChange.confirm(actor, { otp, resend: body.resend === '1' });
    return answer(request, reply, me, actor, result, '');
  });

  async function actorOf(request: FastifyRequest, me: Me): Promise<PhoneChangeActor> {
    const hasFactor = await hasAnyFactor(gateway.methods, me.account);
    return {
      account: me.account,
      sessionHash: me.session.hash,
      right: changeRight(me.session, hasFactor, gateway.clock.now()),
      client: clientOf(request),
    };
  }

  function answer(
    request: FastifyRequest,
    reply: FastifyReply,
    me: Me,
    actor: PhoneChangeActor,
    result: PhoneChangeResult,
    typed: string,
  ) {
    const smsMessages: Readonly<Record<string, string>> =
      gateway.methods.get('SMSOTP')?.plugin.messages[pickLocale(request)] ?? {};
    switch (result.kind) {
      case 'changed':
        return back(reply, 'phone-changed');
      case 'refused': {
        const status = result.reason === 'wrong-password' ? 401 : 400;
        return phoneForm(request, reply, me, actor, status, refusalKey[result.reason], typed);
      }
      case 'code-sent': {
        const t = messagesFor(pickLocale(request));
        const pt = { ...smsMessages, title: t.me.phoneCodeTitle, otpLead: t.me.phoneCodeLead };
        const status = result.messageKey ? 401 : 200;
        return sendPage(request, reply, status, result.view.template, () => pt.title, {
          data: result.view.data,
          pt,
          messageKey: result.messageKey,
          csrf: reply.csrfToken(),
          next: ME_PATH,
          action: `${ME_PATH}/phone/confirm`,
        });
      }
      case 'problem':
      case 'no-pending':
        return sendMessage(request, reply, {
          status: result.kind === 'problem' && result.retry ? 503 : 409,
          message: (t) =>
            (result.kind === 'problem' ? smsMessages[result.messageKey] : null) ?? t.me.phoneStartOver,
          link: { href: `${ME_PATH}/phone`, label: (t) => t.startOver },
        });
    }
  }

  function phoneForm(
    request: FastifyRequest,
    reply: FastifyReply,
    me: Me,
    actor: PhoneChangeActor,
    status: number,
    errorKey: keyof MeMessages | null,
    typed: string,
  ) {
    return sendPage(request, reply, status, 'me-phone', (t) => t.me.phoneTitle, {
      csrf: reply.csrfToken(),
      mode: phoneChange.mode(me.account, actor.right),
      phone: me.account.phone ? maskPhone(me.account.phone) : null,
      typed,
      errorKey,
    });
  }
}

const refusalKey = {
  'wrong-password': 'wrongPassword',
  'invalid-phone': 'invalidPhone',
  'same-phone': 'samePhone',
  'not-allowed': 'phoneNotAllowed',
} as const satisfies Record<string, keyof MeMessages>;
