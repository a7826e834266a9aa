/**
 * Activation codes (docs/push.md §3): 32 random bytes that let one phone register for one
 * user, once, for a short time. Only the code's SHA-256 is stored (`push_activations`); the
 * code itself lives in a URL fragment. Needs only Postgres and a clock, so the CLI's
 * `sekisho push enroll` can use it without the rest of the push service.
 */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { SekishoError } from '../../domain/errors.ts';
import type { AuditLog } from '../../ports/audit.ts';
import type { Clock } from '../../ports/clock.ts';
import { PATTERNS } from '../../../views/static/push/protocol.js';
import type { Activation, LiveActivation, PushActor } from '../../ports/push-service.ts';

export interface ActivationDeps {
  readonly pool: pg.Pool;
  readonly clock: Clock;
  /** The gateway's external origin, e.g. `https://sekisho.example.co.jp`. */
  readonly publicUrl: string;
  readonly ttlSeconds: number;
  readonly audit: AuditLog;
}

/** What reading or consuming an activation needs. */
export type ActivationReadDeps = Pick<ActivationDeps, 'pool' | 'clock'>;

/** Creates a single-use activation for the user; throws SEKISHO_ERR_USER_NOT_FOUND for an unknown user. */
export async function createActivation(
  deps: ActivationDeps,
  userId: string,
  by: PushActor,
): Promise<Activation> {
  const code = randomBytes(32).toString('base64url');
  const expiresAt = deps.clock.now() + deps.ttlSeconds * 1000;
  const { rowCount } = await deps.pool.query(
    `INSERT INTO push_activations (code_hash, user_id, created_by, expires_at)
     SELECT $1, id, $3, $4 FROM users WHERE id = $2`,
    [hashCode(code), userId, by.actor, new Date(expiresAt)],
  );
  if (rowCount === 0) throw new SekishoError('SEKISHO_ERR_USER_NOT_FOUND', `no user ${userId}`);
  await deps.audit.record({
    event: 'push.activation_created',
    outcome: 'success',
    userId,
    actor: by.actor,
    ip: by.ip ?? null,
    userAgent: by.userAgent ?? null,
    detail: { expiresAt: new Date(expiresAt).toISOString() },
  });
  return {
    userId,
    url: activationUrl(deps.publicUrl, code),
    enrolmentUrl: `${deps.publicUrl}/_sekisho/push/enroll#${code}`,
    expiresAt,
  };
}

/** What the phone opens: the code only in the fragment. `publicUrl` is an origin (the config makes it one). */
export function activationUrl(publicUrl: string, code: string): string {
  return `${publicUrl}/_sekisho/push/app#activate=${code}`;
}

/** Whether the code is live (unused, unexpired); does not consume it. */
export async function peekActivation(deps: ActivationReadDeps, code: string): Promise<LiveActivation | null> {
  if (!PATTERNS.code.test(code)) return null;
  const { rows } = await deps.pool.query<{ user_id: string; expires_at: Date }>(
    `SELECT user_id, expires_at FROM push_activations
     WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2`,
    [hashCode(code), new Date(deps.clock.now())],
  );
  const row = rows[0];
  return row ? { userId: row.user_id, expiresAt: row.expires_at.getTime() } : null;
}

/**
 * Uses the code up, atomically: of two concurrent callers exactly one gets the user ID.
 * Null for an unknown, expired or already used code (one answer for all).
 */
export async function consumeActivation(deps: ActivationReadDeps, code: string): Promise<string | null> {
  if (!PATTERNS.code.test(code)) return null;
  const { rows } = await deps.pool.query<{ user_id: string }>(
    `UPDATE push_activations SET used_at = $2
     WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2
     RETURNING user_id`,
    [hashCode(code), new Date(deps.clock.now())],
  );
  return rows[0]?.user_id ?? null;
}

function hashCode(code: string): string {
  return createHash('sha256').update(code).digest('base64url');
}
