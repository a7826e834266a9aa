import type { PasswordHasher } from '../ports/password-hasher.ts';
import { SekishoError } from '../domain/errors.ts';
import { normalisePhone } from '../domain/phone-number.ts';
import type { Networks } from '../domain/networks.ts';
import { formatFrom, parseNetworkCondition } from '../domain/rules/parse-options.ts';
import { parseRule, parseRules } from '../domain/rules/parse-rule.ts';
import { parsePathPrefix } from '../domain/rules/parse-prefix.ts';
import {
  describeUnknown,
  findUnknownPrincipals,
  namedPrincipals,
  type UnknownPrincipal,
} from '../domain/rules/principal-check.ts';
import type { AccessRule, MethodCatalogue } from '../domain/rules/types.ts';
import type { AuditLog } from '../ports/audit.ts';
import type { RuleRepository, StoredRule } from '../ports/rules.ts';
import type { UserChanges, UserRepository } from '../ports/users.ts';

const userIdPattern = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
const groupPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Who makes a change: a console admin (with where from), or a label such as `cli`. */
export type AdminActor =
  string | { readonly id: string; readonly ip?: string | null; readonly userAgent?: string | null };

/** What a rollback did. */
export type RollbackResult =
  | { readonly kind: 'restored'; readonly line: string }
  | { readonly kind: 'deleted'; readonly prefix: string }
  | { readonly kind: 'unchanged' };

/**
 * What to do with a rule that names a user or group the auth DB does not know: `refuse` (with
 * "did you mean …"; the default), or `allow` when the admin said so explicitly (`--allow-unknown`,
 * the console's override box), e.g. for a group to be created later. Saved unknown names are kept
 * in the audit row.
 */
export type UnknownPrincipals = 'refuse' | 'allow';

/** A rule (or, in an import, rules) naming users or groups that do not exist: refused, every one named. */
export class UnknownPrincipalsError extends SekishoError {
  /** The unknown entries, with the line number of the rule in an import (1 for a single rule). */
  readonly unknown: readonly (UnknownPrincipal & { readonly lineNumber: number })[];

  constructor(unknown: UnknownPrincipalsError['unknown'], numbered: boolean) {
    const lines = unknown.map(
      (u) => `rule: ${numbered ? `line ${u.lineNumber}: ` : ''}${u.field}: ${describeUnknown(u)}`,
    );
    super(
      'SEKISHO_ERR_RULE_INVALID',
      `${lines.join('\n')}\n(to save it as written all the same, confirm the override: --allow-unknown)`,
    );
    this.unknown = unknown;
  }
}

export interface UserInput {
  readonly id: string;
  readonly displayName?: string;
  readonly phone?: string | null;
  readonly email?: string | null;
  readonly groups?: readonly string[];
  readonly password: string | null;
}

/**
 * What admins do, whoever asks (CLI or console): validated, audited, and written so that
 * running gateways pick it up from the change feed.
 */
export class AdminService {
  private readonly deps: {
    users: UserRepository;
    rules: RuleRepository;
    hasher: PasswordHasher;
    audit: AuditLog;
    catalogue: MethodCatalogue;
    /** What `from=` may name (the `networks` section); none given: `from=` is refused. */
    networks?: Networks;
  };

  constructor(deps: AdminService['deps']) {
    this.deps = deps;
  }

  async addUser(input: UserInput, actor: AdminActor): Promise<void> {
    validateUser(input);
    const phone = input.phone ? phoneOrThrow(input.phone) : null;
    const passwordHash = input.password === null ? null : await this.hashPassword(input.password);
    await this.deps.users.create({
      id: input.id,
      displayName: input.displayName ?? input.id,
      passwordHash,
      phone,
      email: input.email ?? null,
      groups: input.groups ?? [],
    });
    await this.audit('user.add', input.id, actor, {
      groups: input.groups ?? [],
      phone: Boolean(input.phone),
    });
  }

  async updateUser(
    id: string,
    changes: UserChanges & { password?: string },
    actor: AdminActor,
  ): Promise<void> {
    if (changes.displayName !== undefined) validateName(changes.displayName);
    for (const group of changes.groups ?? []) validateGroup(group);
    if (changes.email) validateEmail(changes.email);
    const { password, ...given } = changes;
    const rest = changes.phone ? { ...given, phone: phoneOrThrow(changes.phone) } : given;
    const passwordHash = password === undefined ? undefined : await this.hashPassword(password);
    await this.deps.users.update(id, { ...rest, ...(passwordHash ? { passwordHash } : {}) });
    const onlyPassword = password !== undefined && Object.keys(rest).length === 0;
    const event =
      changes.locked === true
        ? 'user.lock'
        : changes.locked === false
          ? 'user.unlock'
          : onlyPassword
            ? 'user.password'
            : 'user.update';
    await this.audit(event, id, actor, {
      fields: Object.keys(changes)
        .filter((k) => k !== 'password')
        .concat(password ? ['password'] : []),
    });
  }

  /** Clears the failed-password count and a temporary lockout; an admin's lock stays. */
  async clearLockout(id: string, actor: AdminActor): Promise<void> {
    await this.deps.users.clearLockout(id);
    await this.audit('user.clear_lockout', id, actor, {});
  }

  async removeUser(id: string, actor: AdminActor): Promise<void> {
    await this.deps.users.remove(id);
    await this.audit('user.delete', id, actor, {});
  }

  async addGroup(name: string, actor: AdminActor): Promise<void> {
    if (!groupPattern.test(name)) throw usage(`group name ${JSON.stringify(name)} is not valid`);
    await this.deps.users.createGroup(name);
    await this.audit('group.add', null, actor, { group: name });
  }

  async removeGroup(name: string, actor: AdminActor): Promise<void> {
    await this.deps.users.removeGroup(name);
    await this.audit('group.delete', null, actor, { group: name });
  }

  /**
   * Parses and saves one rule line; a bad line changes nothing and names the field, and so does
   * one naming an unknown user or group unless `unknownPrincipals: 'allow'` is given.
   * `expectedVersion` guards a console edit: null means the rule must not exist yet (add), a
   * number that nobody changed it since the form was shown.
   */
  async setRule(
    line: string,
    actor: AdminActor,
    options: { expectedVersion?: number | null; unknownPrincipals?: UnknownPrincipals } = {},
  ): Promise<AccessRule> {
    const rule = this.parseOrThrow(line);
    const refuse = options.unknownPrincipals !== 'allow';
    const unknown = await this.unknownPrincipals([rule], { suggest: refuse });
    if (unknown.length > 0 && refuse) throw new UnknownPrincipalsError(unknown, false);
    const expected = options.expectedVersion;
    if (expected === undefined) await this.deps.rules.save(rule, actorId(actor));
    else {
      const saved = await this.deps.rules.saveIfVersion(rule, actorId(actor), expected);
      if (saved.kind === 'changed') throw versionConflict(expected, saved.current);
    }
    await this.audit('rule.set', null, actor, { rule: rule.line, ...unknownDetail(unknown) });
    return rule;
  }

  /**
   * The entries of these rules that name no user or group of the auth DB, each with its rule's
   * position (from 1) and the closest known name. Users are looked up one by one; the whole list
   * is read only when one is missing, for the suggestion. `groups`: the group names, when the
   * caller has just read them for something else.
   */
  async unknownPrincipals(
    rules: readonly AccessRule[],
    options: { suggest?: boolean; groups?: readonly string[] } = {},
  ): Promise<(UnknownPrincipal & { lineNumber: number })[]> {
    const named = rules.flatMap((rule) => namedPrincipals(rule));
    if (named.length === 0) return [];
    const groups = options.groups ?? (await this.deps.users.listGroups()).map((g) => g.name);
    const userIds = [...new Set(named.flatMap((p) => (p.kind === 'user' ? [p.id] : [])))];
    const found = await Promise.all(userIds.map((id) => this.deps.users.find(id)));
    const known = userIds.filter((_, i) => found[i] !== null);
    // Suggestions need every user; without them (a listing, an override) the lookups suffice.
    const wanted = options.suggest !== false && known.length < userIds.length;
    const users = wanted ? (await this.deps.users.list()).map((u) => u.id) : known;
    return rules.flatMap((rule, index) =>
      findUnknownPrincipals(rule, { users, groups }).map((u) => ({ ...u, lineNumber: index + 1 })),
    );
  }

  /**
   * Puts a rule back as it was at `version` (that version's line, or no rule when the version
   * was a deletion), as a new change with its own history row and audit row.
   */
  async rollbackRule(
    version: number,
    actor: AdminActor,
    options: { currentVersion?: number | null } = {},
  ): Promise<RollbackResult> {
    const entry = Number.isSafeInteger(version) ? await this.deps.rules.findVersion(version) : null;
    if (!entry) throw new SekishoError('SEKISHO_ERR_RULE_NOT_FOUND', `no rule version ${version}`);
    const current = (await this.deps.rules.list()).find(
      (r) => r.host === entry.host && r.prefix === entry.prefix && r.from === entry.from,
    );
    const where = `${entry.host === null ? '' : `http://${entry.host}`}${entry.prefix}`;
    const prefix = entry.from === null ? where : `${where} from=${entry.from}`;
    // Written only over the rule as read here (or as the caller judged it, `currentVersion`):
    // an edit made meanwhile is refused, not undone.
    const expected = current?.version ?? null;
    if (options.currentVersion !== undefined && options.currentVersion !== expected)
      throw versionConflict(options.currentVersion, current ?? null);
    if (entry.line === null) {
      if (!current) return { kind: 'unchanged' };
      const removed = await this.deps.rules.removeIfVersion(entry, actorId(actor), current.version);
      if (removed.kind === 'changed') throw versionConflict(expected, removed.current);
      await this.audit('rule.rollback', null, actor, { version, prefix, rule: null, previous: current.line });
      return { kind: 'deleted', prefix };
    }
    const rule = this.parseOrThrow(entry.line);
    if (current?.line === rule.line) return { kind: 'unchanged' };
    const saved = await this.deps.rules.saveIfVersion(rule, actorId(actor), expected);
    if (saved.kind === 'changed') throw versionConflict(expected, saved.current);
    await this.audit('rule.rollback', null, actor, {
      version,
      rule: rule.line,
      previous: current?.line ?? null,
    });
    return { kind: 'restored', line: rule.line };
  }

  private parseOrThrow(line: string): AccessRule {
    const parsed = parseRule(line, this.deps.catalogue, this.deps.networks);
    if (!parsed.ok)
      throw new SekishoError('SEKISHO_ERR_RULE_INVALID', `rule: ${parsed.field}: ${parsed.message}`);
    return parsed.rule;
  }

  /**
   * Imports a rules file all or nothing; every bad line is reported, and every unknown user or
   * group unless `unknownPrincipals: 'allow'` is given.
   */
  async importRules(
    text: string,
    actor: AdminActor,
    replace: boolean,
    options: { unknownPrincipals?: UnknownPrincipals } = {},
  ): Promise<number> {
    const parsed = parseRules(text, this.deps.catalogue, this.deps.networks);
    if (!parsed.ok) {
      const lines = parsed.errors.map((e) => `rule: line ${e.lineNumber}: ${e.field}: ${e.message}`);
      throw new SekishoError('SEKISHO_ERR_RULE_INVALID', lines.join('\n'));
    }
    const refuse = options.unknownPrincipals !== 'allow';
    const unknown = await this.unknownPrincipals(parsed.rules, { suggest: refuse });
    if (unknown.length > 0 && refuse) {
      // Numbered by the rule's line in the file, as parse errors are.
      const lineOf = ruleLineNumbers(text);
      const numbered = unknown.map((u) => ({ ...u, lineNumber: lineOf[u.lineNumber - 1] ?? u.lineNumber }));
      throw new UnknownPrincipalsError(numbered, true);
    }
    await this.deps.rules.saveAll(parsed.rules, actorId(actor), replace);
    await this.audit('rule.import', null, actor, {
      count: parsed.rules.length,
      replace,
      ...unknownDetail(unknown),
    });
    return parsed.rules.length;
  }

  /**
   * Deletes the rule for a prefix (and `from` network: `intranet`, `!intranet`; none: the rule
   * for every client). `expectedVersion` guards a console delete: only the version the admin was
   * shown is deleted, not an edit made since.
   */
  async deleteRule(
    prefixText: string,
    actor: AdminActor,
    options: { expectedVersion?: number; from?: string | null } = {},
  ): Promise<void> {
    const prefix = parsePathPrefix(prefixText.trim());
    if (!prefix.ok)
      throw new SekishoError('SEKISHO_ERR_RULE_INVALID', `rule: path-prefix: ${prefix.message}`);
    const from = fromOrThrow(options.from);
    const identity = { host: prefix.value.host, prefix: prefix.value.prefix, from };
    const named = from === null ? prefixText.trim() : `${prefixText.trim()} from=${from}`;
    const expected = options.expectedVersion;
    if (expected !== undefined) {
      const removed = await this.deps.rules.removeIfVersion(identity, actorId(actor), expected);
      if (removed.kind === 'changed' && removed.current) throw versionConflict(expected, removed.current);
      if (removed.kind === 'changed')
        throw new SekishoError('SEKISHO_ERR_RULE_NOT_FOUND', `no rule for ${named}`);
    } else if (!(await this.deps.rules.remove(identity, actorId(actor))))
      throw new SekishoError('SEKISHO_ERR_RULE_NOT_FOUND', `no rule for ${named}`);
    await this.audit('rule.delete', null, actor, { prefix: prefixText.trim(), ...(from ? { from } : {}) });
  }

  private async hashPassword(password: string): Promise<string> {
    if (password.length < 8) throw usage('password must be at least 8 characters');
    if (password.length > 1024) throw usage('password must be at most 1024 characters');
    return this.deps.hasher.hash(password);
  }

  private async audit(
    event: string,
    userId: string | null,
    actor: AdminActor,
    detail: Record<string, unknown>,
  ) {
    const who = typeof actor === 'string' ? { id: actor } : actor;
    await this.deps.audit.record({
      event,
      outcome: 'success',
      userId,
      actor: who.id,
      ip: who.ip ?? null,
      userAgent: who.userAgent ?? null,
      detail,
    });
  }
}

/** The refusal of a console save whose form was opened before someone else's change landed. */
function versionConflict(expected: number | null, current: StoredRule | null): SekishoError {
  if (expected === null && current) {
    return new SekishoError(
      'SEKISHO_ERR_RULE_CONFLICT',
      `rule: path-prefix: a rule for this prefix exists (${current.line}); edit it instead`,
    );
  }
  const now = current
    ? `${current.changedBy} changed it meanwhile (now version ${current.version})`
    : 'it was deleted meanwhile';
  return new SekishoError(
    'SEKISHO_ERR_RULE_CONFLICT',
    `rule: ${now}, after the form was opened; review and save again`,
  );
}

/** The file line number of each rule of a parsed rules file (blank lines and comments hold none). */
function ruleLineNumbers(text: string): number[] {
  return text
    .split(/\r?\n/)
    .flatMap((line, index) => (line.trim() === '' || line.trim().startsWith('#') ? [] : [index + 1]));
}

/** Names saved although unknown (an override) stay findable in the audit trail. */
function unknownDetail(unknown: readonly UnknownPrincipal[]): { unknownPrincipals?: string[] } {
  return unknown.length === 0 ? {} : { unknownPrincipals: unknown.map((u) => u.written) };
}

/**
 * The `from=` network of a rule to delete, as rules are keyed (`!office`), none for a blank one: its
 * form checked as in a rule, but not that the configuration still defines it, so that a rule whose
 * network was taken out of the configuration can be deleted.
 */
function fromOrThrow(written: string | null | undefined): string | null {
  if (!written?.trim()) return null;
  const condition = parseNetworkCondition(written.trim());
  if (!condition.ok) throw new SekishoError('SEKISHO_ERR_RULE_INVALID', `rule: from: ${condition.message}`);
  return formatFrom(condition.value);
}

function actorId(actor: AdminActor): string {
  return typeof actor === 'string' ? actor : actor.id;
}

function validateUser(input: UserInput): void {
  if (!userIdPattern.test(input.id)) throw usage(`user ID ${JSON.stringify(input.id)} is not valid`);
  if (input.displayName !== undefined) validateName(input.displayName);
  if (input.email) validateEmail(input.email);
  for (const group of input.groups ?? []) validateGroup(group);
}

function validateGroup(group: string): void {
  if (!groupPattern.test(group)) throw usage(`group name ${JSON.stringify(group)} is not valid`);
}

/** Names are shown in lists and headers: printable and bounded. */
function validateName(name: string): void {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must be refused
  if (name.length > 128 || /[\u0000-\u001f\u007f]/.test(name))
    throw usage('name must be at most 128 printable characters');
}

/** The number as stored (E.164), from any form people type: the one rule of the console, /me and the CLI. */
function phoneOrThrow(phone: string): string {
  const normalised = normalisePhone(phone);
  if (normalised !== null) return normalised;
  throw new SekishoError(
    'SEKISHO_ERR_USER_INVALID',
    `phone ${JSON.stringify(phone)} is not a phone number (e.g. 090-1234-5678 or +819012345678)`,
  );
}

function validateEmail(email: string): void {
  if (!emailPattern.test(email))
    throw new SekishoError('SEKISHO_ERR_USER_INVALID', `email ${JSON.stringify(email)} is not valid`);
}

function usage(message: string): SekishoError {
  return new SekishoError('SEKISHO_ERR_USER_INVALID', message);
}
