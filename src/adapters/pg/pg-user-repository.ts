import type pg from 'pg';
import { SekishoError } from '../../domain/errors.ts';
import { phoneSearchPart } from '../../domain/phone-number.ts';
import type {
  AttemptReservation,
  LockoutPolicy,
  NewUser,
  UserChanges,
  UserPage,
  UserRecord,
  UserRepository,
} from '../../ports/users.ts';
import { inTransaction, noteChange, type Queryable } from './database.ts';

interface UserRow {
  id: string;
  display_name: string;
  password_hash: string | null;
  phone: string | null;
  email: string | null;
  locked: boolean;
  failed_count: number;
  lockout_until: Date | null;
  groups: string[] | null;
  revision: string;
}

/**
 * The console's search: a case-insensitive substring of any listed field or group name, or ($2,
 * '' when the text does not look like a phone number) the part of an E.164 phone the text stands
 * for. `strpos` rather than LIKE, so that `%` and `_` in the text are just characters.
 */
const searchCondition = `
  ($1 = '' OR strpos(lower(u.id), lower($1)) > 0 OR strpos(lower(u.display_name), lower($1)) > 0
    OR strpos(lower(coalesce(u.email, '')), lower($1)) > 0
    OR strpos(lower(coalesce(u.phone, '')), lower($1)) > 0
    OR ($2 <> '' AND strpos(coalesce(u.phone, ''), $2) > 0)
    OR EXISTS (SELECT 1 FROM memberships g
               WHERE g.user_id = u.id AND strpos(lower(g.group_name), lower($1)) > 0))`;

const selectUsers = `
  SELECT u.*, array_remove(array_agg(m.group_name ORDER BY m.group_name), NULL) AS groups
  FROM users u LEFT JOIN memberships m ON m.user_id = u.id`;

export class PgUserRepository implements UserRepository {
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async find(id: string): Promise<UserRecord | null> {
    const { rows } = await this.pool.query<UserRow>(`${selectUsers} WHERE u.id = $1 GROUP BY u.id`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async findForLogin(typedId: string): Promise<UserRecord | null> {
    // The exact ID first; IDs that differ only in case cannot be created, but older rows may.
    const { rows } = await this.pool.query<UserRow>(
      `${selectUsers} WHERE lower(u.id) = lower($1) GROUP BY u.id ORDER BY u.id = $1 DESC LIMIT 2`,
      [typedId],
    );
    const [first, second] = rows;
    if (!first) return null;
    if (first.id === typedId || !second) return toRecord(first);
    return null;
  }

  async list(): Promise<UserRecord[]> {
    const { rows } = await this.pool.query<UserRow>(`${selectUsers} GROUP BY u.id ORDER BY u.id`);
    return rows.map(toRecord);
  }

  async search(text: string, page: { offset: number; limit: number }): Promise<UserPage> {
    // Admins type numbers as they read them (`090-1234`); the table keeps E.164 (`+8190 1234…`).
    const phonePart = phoneSearchPart(text) ?? '';
    const [found, counted] = await Promise.all([
      this.pool.query<UserRow>(
        `${selectUsers} WHERE ${searchCondition} GROUP BY u.id ORDER BY u.id LIMIT $3 OFFSET $4`,
        [text, phonePart, page.limit, page.offset],
      ),
      this.pool.query<{ total: number }>(
        `SELECT count(*)::int AS total FROM users u WHERE ${searchCondition}`,
        [text, phonePart],
      ),
    ]);
    return { users: found.rows.map(toRecord), total: counted.rows[0]?.total ?? 0 };
  }

  async countUsers(now: number): Promise<{ total: number; flagged: number }> {
    const { rows } = await this.pool.query<{ total: number; flagged: number }>(
      `SELECT count(*)::int AS total,
         (count(*) FILTER (WHERE locked OR lockout_until > $1))::int AS flagged
       FROM users`,
      [new Date(now)],
    );
    return rows[0] ?? { total: 0, flagged: 0 };
  }

  async create(user: NewUser): Promise<void> {
    await inTransaction(this.pool, async (db) => {
      await insertUser(db, user);
      await setGroups(db, user.id, user.groups);
      await noteChange(db, 'user', user.id);
    });
  }

  async update(id: string, changes: UserChanges): Promise<void> {
    await inTransaction(this.pool, async (db) => {
      const { rowCount } = await db.query(
        `UPDATE users SET
           display_name = COALESCE($2, display_name),
           phone = CASE WHEN $3::boolean THEN $4 ELSE phone END,
           email = CASE WHEN $5::boolean THEN $6 ELSE email END,
           password_hash = COALESCE($7, password_hash),
           locked = COALESCE($8, locked),
           failed_count = CASE WHEN $8::boolean = false THEN 0 ELSE failed_count END,
           lockout_until = CASE WHEN $8::boolean = false THEN NULL ELSE lockout_until END,
           count_cleared_at = CASE WHEN $8::boolean = false THEN last_attempt ELSE count_cleared_at END,
           updated_at = now()
         WHERE id = $1`,
        [
          id,
          changes.displayName ?? null,
          changes.phone !== undefined,
          changes.phone ?? null,
          changes.email !== undefined,
          changes.email ?? null,
          changes.passwordHash ?? null,
          changes.locked ?? null,
        ],
      );
      if (rowCount === 0) throw new SekishoError('SEKISHO_ERR_USER_NOT_FOUND', `no user ${id}`);
      const groupsChanged = changes.groups ? await setGroups(db, id, changes.groups) : false;
      // Sessions carry the groups and were proven with the password: these changes end them.
      const revokes = changes.locked === true || changes.passwordHash !== undefined || groupsChanged;
      if (revokes) await noteRevoke(db, id);
      else await noteChange(db, 'user', id);
    });
  }

  async remove(id: string): Promise<void> {
    await inTransaction(this.pool, async (db) => {
      const { rowCount } = await db.query('DELETE FROM users WHERE id = $1', [id]);
      if (rowCount === 0) throw new SekishoError('SEKISHO_ERR_USER_NOT_FOUND', `no user ${id}`);
      await noteRevoke(db, id);
    });
  }

  async reserveAttempt(id: string, now: number, policy: LockoutPolicy): Promise<AttemptReservation> {
    // One statement: `before` locks the row, so the decision and the count it returns are the
    // ones this UPDATE wrote, whatever runs at the same time. A lockout that has run out starts
    // a new window. A refused attempt is numbered too: a success then knows it came after.
    const { rows } = await this.pool.query<{ attempt: string; open: boolean; locked: boolean }>(
      `UPDATE users AS u SET
         last_attempt = before.last_attempt + 1,
         failed_count = CASE WHEN NOT before.open THEN before.failed_count
           WHEN before.window_over THEN 1 ELSE before.failed_count + 1 END,
         count_cleared_at = CASE WHEN before.open AND before.window_over THEN before.last_attempt
           ELSE before.count_cleared_at END,
         lockout_until = CASE WHEN NOT before.open THEN before.lockout_until
           WHEN (CASE WHEN before.window_over THEN 1 ELSE before.failed_count + 1 END) >= $3 THEN $4
           ELSE NULL END
       FROM (
         SELECT id, locked, failed_count, last_attempt, count_cleared_at, lockout_until,
           NOT locked AND NOT coalesce(lockout_until > $2, false) AS open,
           coalesce(lockout_until <= $2, false) AS window_over
         FROM users WHERE id = $1 FOR UPDATE
       ) AS before
       WHERE u.id = before.id
       RETURNING u.last_attempt AS attempt, before.open, before.locked`,
      [id, new Date(now), policy.maxFailures, new Date(now + policy.lockoutMs)],
    );
    const row = rows[0];
    if (!row) return { reserved: false, reason: 'unknown-user' };
    if (!row.open) return { reserved: false, reason: row.locked ? 'locked' : 'lockout' };
    return { reserved: true, attempt: Number(row.attempt) };
  }

  async recordFailure(id: string, attempt: number, now: number, policy: LockoutPolicy): Promise<void> {
    // Reserving counted this attempt already, unless the count was cleared while it ran.
    await this.pool.query(
      `UPDATE users SET
         failed_count = CASE WHEN count_cleared_at >= $2 THEN failed_count + 1 ELSE failed_count END,
         lockout_until = CASE
           WHEN count_cleared_at >= $2 AND failed_count + 1 >= $4
             AND NOT coalesce(lockout_until > $3, false) THEN $5
           ELSE lockout_until END,
         last_failure_at = $3
       WHERE id = $1`,
      [id, attempt, new Date(now), policy.maxFailures, new Date(now + policy.lockoutMs)],
    );
  }

  async recordSuccess(id: string, attempt: number, now: number): Promise<void> {
    // The latest attempt succeeded: the account is in good standing again, and attempts still
    // running count themselves back in when they fail. With attempts after it, this one takes
    // back only its own reservation (if a clear has not already) and the lockout stays.
    await this.pool.query(
      `UPDATE users SET
         failed_count = CASE WHEN last_attempt = $2 THEN 0
           WHEN count_cleared_at < $2 THEN greatest(failed_count - 1, 0)
           ELSE failed_count END,
         lockout_until = CASE WHEN last_attempt = $2 THEN NULL ELSE lockout_until END,
         count_cleared_at = CASE WHEN last_attempt = $2 THEN $2 ELSE count_cleared_at END,
         last_login_at = $3
       WHERE id = $1`,
      [id, attempt, new Date(now)],
    );
  }

  async clearLockout(id: string): Promise<void> {
    const { rowCount } = await this.pool.query(
      `UPDATE users SET failed_count = 0, lockout_until = NULL, count_cleared_at = last_attempt,
         updated_at = now() WHERE id = $1`,
      [id],
    );
    if (rowCount === 0) throw new SekishoError('SEKISHO_ERR_USER_NOT_FOUND', `no user ${id}`);
  }

  async createGroup(name: string): Promise<void> {
    const { rowCount } = await this.pool.query(
      'INSERT INTO groups (name) VALUES ($1) ON CONFLICT (name) DO NOTHING',
      [name],
    );
    if (rowCount === 0) throw new SekishoError('SEKISHO_ERR_GROUP_EXISTS', `group ${name} exists`);
  }

  async removeGroup(name: string): Promise<void> {
    await inTransaction(this.pool, async (db) => {
      const members = await db.query<{ user_id: string }>(
        'SELECT user_id FROM memberships WHERE group_name = $1',
        [name],
      );
      const { rowCount } = await db.query('DELETE FROM groups WHERE name = $1', [name]);
      if (rowCount === 0) throw new SekishoError('SEKISHO_ERR_GROUP_NOT_FOUND', `no group ${name}`);
      for (const { user_id } of members.rows) await noteRevoke(db, user_id);
    });
  }

  async listGroups(): Promise<{ name: string; members: string[] }[]> {
    const { rows } = await this.pool.query<{ name: string; members: string[] }>(
      `SELECT g.name, array_remove(array_agg(m.user_id ORDER BY m.user_id), NULL) AS members
       FROM groups g LEFT JOIN memberships m ON m.group_name = g.name GROUP BY g.name ORDER BY g.name`,
    );
    return rows;
  }
}

/**
 * Inserts the user unless its ID, in any letter case, is taken. Creations of IDs that fold to the
 * same one wait for each other (a transaction lock on the folded ID), so the check holds even on a
 * database whose case-folded index could not be unique (migration 012).
 */
async function insertUser(db: Queryable, user: NewUser): Promise<void> {
  await db.query(
    "SELECT pg_advisory_xact_lock(hashtext('sekisho.user-id:' || current_schema() || ':' || lower($1)))",
    [user.id],
  );
  const taken = await db.query<{ id: string }>('SELECT id FROM users WHERE lower(id) = lower($1) LIMIT 1', [
    user.id,
  ]);
  const existing = taken.rows[0]?.id;
  if (existing === user.id) throw new SekishoError('SEKISHO_ERR_USER_EXISTS', `user ${user.id} exists`);
  if (existing !== undefined)
    throw new SekishoError(
      'SEKISHO_ERR_USER_EXISTS',
      `user ${user.id}: user ${existing} exists, and IDs that differ only in letter case are the same ID at login`,
    );
  await db.query(
    `INSERT INTO users (id, display_name, password_hash, phone, email) VALUES ($1, $2, $3, $4, $5)`,
    [user.id, user.displayName, user.passwordHash, user.phone, user.email],
  );
}

/** Replaces the user's groups; true when the membership really changed. */
async function setGroups(db: Queryable, userId: string, groups: readonly string[]): Promise<boolean> {
  const before = await db.query<{ group_name: string }>(
    'DELETE FROM memberships WHERE user_id = $1 RETURNING group_name',
    [userId],
  );
  const wanted = new Set(groups);
  const changed =
    before.rows.length !== wanted.size || before.rows.some((row) => !wanted.has(row.group_name));
  if (groups.length === 0) return changed;
  const known = await db.query<{ name: string }>('SELECT name FROM groups WHERE name = ANY($1)', [groups]);
  const missing = groups.filter((g) => !known.rows.some((row) => row.name === g));
  if (missing.length > 0)
    throw new SekishoError('SEKISHO_ERR_GROUP_NOT_FOUND', `no group ${missing.join(', ')}`);
  await db.query(
    'INSERT INTO memberships (user_id, group_name) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING',
    [userId, groups],
  );
  return changed;
}

/**
 * Notes a change that ends the user's sessions, inside the caller's transaction: raises the user's
 * revision (sessions proven below it end; a deleted user has no row and loses them all).
 */
async function noteRevoke(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE users SET revision = revision + 1 WHERE id = $1', [id]);
  await noteChange(db, 'revoke', id);
}

function toRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    displayName: row.display_name,
    passwordHash: row.password_hash,
    phone: row.phone,
    email: row.email,
    locked: row.locked,
    failedCount: row.failed_count,
    lockoutUntil: row.lockout_until?.getTime() ?? null,
    groups: row.groups ?? [],
    revision: Number(row.revision),
  };
}
