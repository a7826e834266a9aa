/**
 * Recovery codes: the way back in for a user whose phone is lost. Ten codes of ten characters from
 * an alphabet without look-alikes (no 0/o, 1/l/i), about 49 bits each. Only an HMAC of each code,
 * bound to the user, is stored, under a key derived from the server secret for this purpose alone;
 * a code is used by one atomic UPDATE, so two requests cannot both spend it.
 */
import { createHmac, hkdfSync, randomInt } from 'node:crypto';
import type { AuditLog } from '../ports/audit.ts';
import type { Clock } from '../ports/clock.ts';
import type { RecoveryCodeRepository } from '../ports/credentials.ts';

/** Characters a person reads off paper and types without confusing them. */
export const RECOVERY_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
export const RECOVERY_CODE_COUNT = 10;
export const RECOVERY_CODE_LENGTH = 10;
/** At or below this many unused codes the user is prompted to make new ones. */
export const FEW_RECOVERY_CODES = 3;

/** Who asks for new codes, for the audit trail. */
export interface RecoveryActor {
  readonly actor: string;
  readonly ip?: string | null;
  readonly userAgent?: string | null;
}

export interface RecoveryCodesDeps {
  readonly repository: RecoveryCodeRepository;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly secret: string;
}

/** A code shown to the user: two groups of five, `abcde-fghjk`. */
export function formatRecoveryCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** What the user typed, made comparable: NFKC (full-width IME input), lower case, no spaces or hyphens. */
export function normaliseRecoveryCode(typed: string): string {
  return typed.normalize('NFKC').toLowerCase().replace(/[\s-]/g, '');
}

function newCode(): string {
  let code = '';
  for (let i = 0; i < RECOVERY_CODE_LENGTH; i++)
    code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  return code;
}

export class RecoveryCodes {
  private readonly deps: RecoveryCodesDeps;
  private readonly key: Buffer;

  constructor(deps: RecoveryCodesDeps) {
    this.deps = deps;
    this.key = Buffer.from(hkdfSync('sha256', deps.secret, '', 'sekisho recovery codes', 32));
  }

  private hash(userId: string, code: string): string {
    return createHmac('sha256', this.key).update(`${userId}\u0000${code}`).digest('base64url');
  }

  /** Makes new codes (formatted for display), voiding every earlier one; audited as `recovery.generated`. */
  async generate(userId: string, by: RecoveryActor): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
    await this.deps.repository.replace(
      userId,
      codes.map((code) => this.hash(userId, code)),
      this.deps.clock.now(),
    );
    await this.deps.audit.record({
      event: 'recovery.generated',
      outcome: 'success',
      userId,
      actor: by.actor,
      ip: by.ip ?? null,
      userAgent: by.userAgent ?? null,
      detail: { count: codes.length },
    });
    return codes.map(formatRecoveryCode);
  }

  /** Spends the typed code if it is one of the user's unused codes: true exactly once per code. */
  async redeem(userId: string, typed: string): Promise<boolean> {
    const code = normaliseRecoveryCode(typed);
    if (code.length !== RECOVERY_CODE_LENGTH) return false;
    return this.deps.repository.use(userId, this.hash(userId, code), this.deps.clock.now());
  }

  /** How many unused codes the user has. */
  remaining(userId: string): Promise<number> {
    return this.deps.repository.countUnused(userId);
  }

  /** Voids every code of the user (an admin's reset); audited. */
  async clear(userId: string, by: RecoveryActor): Promise<number> {
    const voided = await this.deps.repository.clear(userId);
    await this.deps.audit.record({
      event: 'recovery.cleared',
      outcome: 'success',
      userId,
      actor: by.actor,
      ip: by.ip ?? null,
      userAgent: by.userAgent ?? null,
      detail: { voided },
    });
    return voided;
  }
}
