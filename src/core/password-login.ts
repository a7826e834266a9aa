import { normaliseLoginId } from '../domain/login-id.ts';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import type { AuditLog } from '../ports/audit.ts';
import type { Clock } from '../ports/clock.ts';
import type { LockoutPolicy, UserRecord, UserRepository } from '../ports/users.ts';

export type PasswordLoginResult =
  | { readonly ok: true; readonly user: UserRecord }
  /** One answer for every failure, so the caller cannot tell unknown, wrong, locked apart. */
  | {
      readonly ok: false;
      readonly reason:
        'unknown-user' | 'wrong-password' | 'locked' | 'lockout' | 'no-password' | 'wrong-recovery-code';
    };

export interface LoginContext {
  readonly ip: string;
  readonly userAgent: string;
}

/**
 * ID/password verification with lockout. The typed ID is read as users type it (full-width
 * letters, any letter case: see domain/login-id.ts); the user it names is the one checked, counted
 * and locked out, whatever case it was typed in. Every path does one argon2 verify, so an
 * unknown or locked user costs the same as a wrong password. The lockout is decided before the
 * verify, by reserving the attempt: deciding on a row read earlier let a burst of concurrent
 * guesses all through, since none of them had failed yet when the others looked.
 */
export class PasswordLogin {
  private readonly users: UserRepository;
  private readonly hasher: PasswordHasher;
  private readonly audit: AuditLog;
  private readonly clock: Clock;
  private readonly policy: LockoutPolicy;

  constructor(
    deps: { users: UserRepository; hasher: PasswordHasher; audit: AuditLog; clock: Clock },
    policy: LockoutPolicy,
  ) {
    this.users = deps.users;
    this.hasher = deps.hasher;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.policy = policy;
  }

  /**
   * Checks the password of the user `typedId` names; `alsoProve`, when given, runs only after a right password and inside the
   * same reservation (a recovery code): when it fails, the attempt is a failure that counts towards
   * the lockout like a wrong password.
   */
  async attempt(
    typedId: string,
    password: string,
    context: LoginContext,
    alsoProve?: (user: UserRecord) => Promise<boolean>,
  ): Promise<PasswordLoginResult> {
    const userId = normaliseLoginId(typedId);
    const user = userId === '' ? null : await this.users.findForLogin(userId);
    const result = await this.check(user, password, alsoProve);
    await this.audit.record({
      event: 'login.password',
      outcome: result.ok ? 'success' : 'failure',
      userId: user ? user.id : null,
      actor: user ? user.id : null,
      ip: context.ip,
      userAgent: context.userAgent,
      detail: result.ok
        ? {}
        : { reason: result.reason, ...(user ? {} : { attemptedId: userId.slice(0, 64) }) },
    });
    return result;
  }

  private async check(
    user: UserRecord | null,
    password: string,
    alsoProve?: (user: UserRecord) => Promise<boolean>,
  ): Promise<PasswordLoginResult> {
    const now = this.clock.now();
    if (!user || !user.passwordHash) {
      await this.hasher.verifyDummy(password);
      return { ok: false, reason: user ? 'no-password' : 'unknown-user' };
    }
    const reservation = await this.users.reserveAttempt(user.id, now, this.policy);
    if (!reservation.reserved) {
      await this.hasher.verifyDummy(password);
      return { ok: false, reason: reservation.reason };
    }
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      await this.users.recordFailure(user.id, reservation.attempt, now, this.policy);
      return { ok: false, reason: 'wrong-password' };
    }
    if (alsoProve && !(await alsoProve(user))) {
      await this.users.recordFailure(user.id, reservation.attempt, now, this.policy);
      return { ok: false, reason: 'wrong-recovery-code' };
    }
    await this.users.recordSuccess(user.id, reservation.attempt, now);
    return { ok: true, user };
  }
}
