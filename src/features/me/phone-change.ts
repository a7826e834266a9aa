/**
 * A user changing their own phone number. The number is what SMS one-time codes go to, so it is a
 * factor, and registering or changing it is held to the bar every factor change on /me meets: a
 * proof of a factor other than the password made in the last 10 minutes (`changeRight`), and the
 * password typed again (checked by PasswordLogin before anything about the typed number is
 * answered: a wrong one is a failed login, counted towards the lockout and audited `login.password`).
 *
 * - With such a recent proof (a push, TOTP, passkey or SMS code at login or proven again from
 *   /me), the password suffices, for a first number as for a change: the same session could
 *   remove the number and register another anyway.
 * - Without one, a number on record is confirmed by a code sent to that OLD number through the
 *   SMSOTP method itself (its own flow, never mixed with a login): a proof made now, of the very
 *   phone that guards the logins.
 * - Without one and no number, the user proves a factor they hold again (the step-up page) or,
 *   holding none, asks an administrator: a stolen password alone never registers the thief's phone.
 */
import { randomBytes } from 'node:crypto';
import type { PasswordLogin } from '../../core/password-login.ts';
import { normalisePhone } from '../../domain/phone-number.ts';
import type { AuthMethod, ChallengeRequest, PluginClient, PluginView } from '../../plugin-api.ts';
import { maskPhone } from '../../plugin-api.ts';
import type { AuditLog } from '../../ports/audit.ts';
import type { KeyValueStore } from '../../ports/key-value-store.ts';
import type { UserRecord, UserRepository } from '../../ports/users.ts';
import type { ChangeRight } from './authenticators.ts';

/** Who is asking: the session's user, its hash (binds the pending change) and its right to change a factor now. */
export interface PhoneChangeActor {
  readonly account: UserRecord;
  readonly sessionHash: string;
  readonly right: ChangeRight;
  readonly client: PluginClient;
}

/** How this user may change their number, known before they type anything. */
export type PhoneChangeMode =
  /** A factor besides the password proven in the last 10 minutes: the password suffices. */
  | 'recent-proof'
  /** Password, then a code to the current number. */
  | 'sms-confirmation'
  /** No number (or no SMS to confirm with), but a factor to prove again first. */
  | 'step-up'
  /** No number and no factor at all: an administrator must register it. */
  | 'needs-admin-no-phone'
  /** A number, but no SMS method to confirm with and no other factor: an administrator must change it. */
  | 'needs-admin-no-sms';

export type RefusalReason = 'wrong-password' | 'invalid-phone' | 'same-phone' | 'not-allowed';

export type PhoneChangeResult =
  | { readonly kind: 'changed' }
  /** The code went to the old number; the page shows the method's view. */
  | { readonly kind: 'code-sent'; readonly view: PluginView; readonly messageKey: string | null }
  | { readonly kind: 'refused'; readonly reason: RefusalReason }
  /** The SMS method could not start or the code is gone: its message, and whether a retry may work. */
  | { readonly kind: 'problem'; readonly messageKey: string; readonly retry: boolean }
  /** Nothing pending for this session (expired, done, or never started). */
  | { readonly kind: 'no-pending' };

export interface PhoneChangeDeps {
  readonly users: UserRepository;
  readonly passwordLogin: PasswordLogin;
  readonly store: KeyValueStore;
  readonly audit: AuditLog;
  /** The SMSOTP method, or null when this gateway cannot send SMS. */
  readonly sms: AuthMethod | null;
  /** How long a started change waits for its code (the OTP lifetime). */
  readonly pendingTtlMs: number;
}

interface Pending {
  readonly phone: string;
  readonly flowId: string;
}

export class PhoneChange {
  private readonly deps: PhoneChangeDeps;

  constructor(deps: PhoneChangeDeps) {
    this.deps = deps;
  }

  mode(account: UserRecord, right: ChangeRight): PhoneChangeMode {
    if (right.kind === 'allowed') return 'recent-proof';
    if (account.phone && this.deps.sms) return 'sms-confirmation';
    if (right.kind === 'step-up') return 'step-up';
    return account.phone ? 'needs-admin-no-sms' : 'needs-admin-no-phone';
  }

  /** Step one: the password, then the new number. */
  async start(actor: PhoneChangeActor, password: string, typedPhone: string): Promise<PhoneChangeResult> {
    const { account } = actor;
    const mode = this.mode(account, actor.right);
    if (mode !== 'recent-proof' && mode !== 'sms-confirmation') return this.refuse(actor, 'not-allowed');
    // The password first: without it, nothing about the typed number is answered (not even
    // whether it is the one on record, which would confirm a guessed number to a session thief).
    const login = await this.deps.passwordLogin.attempt(account.id, password, actor.client);
    if (!login.ok) return this.refuse(actor, 'wrong-password', login.reason);
    const phone = normalisePhone(typedPhone);
    if (phone === null) return this.refuse(actor, 'invalid-phone');
    if (phone === account.phone) return this.refuse(actor, 'same-phone');
    if (mode === 'recent-proof') return this.apply(actor, phone, 'recent-proof');
    return this.sendCode(actor, { phone, flowId: `me-phone:${randomBytes(16).toString('base64url')}` });
  }

  /** Step two: the code from the old number, or `resend` for a fresh one. */
  async confirm(
    actor: PhoneChangeActor,
    answer: { otp?: string; resend?: boolean },
  ): Promise<PhoneChangeResult> {
    const pending = await this.readPending(actor.sessionHash);
    const sms = this.deps.sms;
    if (pending === null || sms === null || !actor.account.phone) return { kind: 'no-pending' };
    if (answer.resend) return this.sendCode(actor, pending, true);
    const verdict = await sms.verify({
      ...this.challenge(actor, pending),
      answer: { otp: answer.otp ?? '' },
    });
    if (verdict.kind === 'ok') {
      await this.deps.store.remove(pendingKey(actor.sessionHash));
      return this.apply(actor, pending.phone, 'SMSOTP');
    }
    if (verdict.kind === 'dead') {
      await this.deps.store.remove(pendingKey(actor.sessionHash));
      await this.record(actor, 'failure', { reason: 'code-dead' });
      return { kind: 'problem', messageKey: verdict.messageKey, retry: false };
    }
    // A wrong code is audited by the method itself (SMSOTP.check), with the attempts left.
    return { kind: 'code-sent', view: verdict.view, messageKey: verdict.messageKey };
  }

  private async sendCode(
    actor: PhoneChangeActor,
    pending: Pending,
    resend = false,
  ): Promise<PhoneChangeResult> {
    const sms = this.deps.sms;
    if (sms === null) return this.refuse(actor, 'not-allowed');
    const started = await sms.start({ ...this.challenge(actor, pending), resend });
    if (started.kind === 'problem') {
      await this.record(actor, 'failure', { reason: 'sms-problem', messageKey: started.messageKey });
      return { kind: 'problem', messageKey: started.messageKey, retry: started.retry };
    }
    await this.deps.store.put(pendingKey(actor.sessionHash), JSON.stringify(pending), this.deps.pendingTtlMs);
    const to = actor.account.phone ? maskPhone(actor.account.phone) : null;
    await this.deps.audit.record({
      ...this.who(actor),
      event: 'me.phone.code_sent',
      outcome: 'info',
      detail: { to, newPhone: maskPhone(pending.phone), resend },
    });
    return { kind: 'code-sent', view: started.view, messageKey: null };
  }

  private async apply(
    actor: PhoneChangeActor,
    phone: string,
    confirmedBy: 'SMSOTP' | 'recent-proof',
  ): Promise<PhoneChangeResult> {
    await this.deps.users.update(actor.account.id, { phone });
    const from = actor.account.phone ? maskPhone(actor.account.phone) : null;
    await this.record(actor, 'success', { from, to: maskPhone(phone), confirmedBy });
    return { kind: 'changed' };
  }

  private async refuse(
    actor: PhoneChangeActor,
    reason: RefusalReason,
    passwordReason?: string,
  ): Promise<PhoneChangeResult> {
    await this.record(actor, 'failure', { reason, ...(passwordReason ? { password: passwordReason } : {}) });
    return { kind: 'refused', reason };
  }

  private record(actor: PhoneChangeActor, outcome: 'success' | 'failure', detail: Record<string, unknown>) {
    return this.deps.audit.record({ ...this.who(actor), event: 'me.phone.change', outcome, detail });
  }

  private who(actor: PhoneChangeActor) {
    const { account, client } = actor;
    return { userId: account.id, actor: account.id, ip: client.ip, userAgent: client.userAgent };
  }

  /** The SMS goes to the number on record now: the old one, saying the code is for a change of number. */
  private challenge(actor: PhoneChangeActor, pending: Pending): ChallengeRequest {
    const { account, client } = actor;
    return { user: account, flowId: pending.flowId, client, target: '/_sekisho/me', purpose: 'phone-change' };
  }

  private async readPending(sessionHash: string): Promise<Pending | null> {
    const text = await this.deps.store.read(pendingKey(sessionHash));
    if (text === null) return null;
    try {
      const value = JSON.parse(text) as Partial<Pending>;
      return typeof value.phone === 'string' && typeof value.flowId === 'string'
        ? { phone: value.phone, flowId: value.flowId }
        : null;
    } catch {
      return null;
    }
  }
}

/** One pending change per session: a new start replaces it (and the old code dies with its flow). */
function pendingKey(sessionHash: string): string {
  return `me:phone:${sessionHash}`;
}
