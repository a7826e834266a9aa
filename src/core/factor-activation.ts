/**
 * Activation links: how a user with no second factor (a new user, or one whose only phone is lost
 * and who has no recovery code) gets to enrol one. An admin issues the link (CLI or console); it is
 * single use and short-lived, and only the keyed hash of its code is stored. A password alone never
 * enrols a first factor: a stolen password would otherwise enrol the thief's.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { AuditLog } from '../ports/audit.ts';
import type { Clock } from '../ports/clock.ts';
import type { FactorActivationRepository } from '../ports/credentials.ts';

/** How long an activation link works. */
export const ACTIVATION_TTL_MS = 24 * 3600_000;

export interface FactorActivationDeps {
  readonly repository: FactorActivationRepository;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly secret: string;
  readonly publicUrl: string;
}

/** The page the link opens, under the user's own account pages. */
export const activationPath = '/_sekisho/me/activate';

export class FactorActivations {
  private readonly deps: FactorActivationDeps;

  constructor(deps: FactorActivationDeps) {
    this.deps = deps;
  }

  private hash(code: string): string {
    return createHmac('sha256', this.deps.secret)
      .update(`factor-activation\u0000${code}`)
      .digest('base64url');
  }

  /** Issues a link for `userId` (who must exist); audited as `credential.activation_issued`. */
  async issue(
    userId: string,
    by: { actor: string; ip?: string | null },
  ): Promise<{ url: string; expiresAt: number }> {
    const code = randomBytes(24).toString('base64url');
    const expiresAt = this.deps.clock.now() + ACTIVATION_TTL_MS;
    await this.deps.repository.create(this.hash(code), userId, by.actor, expiresAt);
    await this.deps.audit.record({
      event: 'credential.activation_issued',
      outcome: 'success',
      userId,
      actor: by.actor,
      ip: by.ip ?? null,
      detail: { expiresAt: new Date(expiresAt).toISOString() },
    });
    return { url: `${this.deps.publicUrl}${activationPath}?code=${code}`, expiresAt };
  }

  /** The user a live code is for, without using it. */
  peek(code: string): Promise<string | null> {
    if (code === '' || code.length > 64) return Promise.resolve(null);
    return this.deps.repository.peek(this.hash(code), this.deps.clock.now());
  }

  /** Uses a live code: its user for exactly one caller. */
  use(code: string): Promise<string | null> {
    if (code === '' || code.length > 64) return Promise.resolve(null);
    return this.deps.repository.use(this.hash(code), this.deps.clock.now());
  }
}
