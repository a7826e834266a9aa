import type { PasswordHasher } from '../adapters/argon2-hasher.ts';
import { SekishoError } from '../domain/errors.ts';
import { parseRule, parseRules } from '../domain/rules/parse-rule.ts';
import { parsePathPrefix } from '../domain/rules/parse-prefix.ts';
import type { AccessRule, MethodCatalogue } from '../domain/rules/types.ts';
import type { AuditLog } from '../ports/audit.ts';
import type { RuleRepository } from '../ports/rules.ts';
import type { UserChanges, UserRepository } from '../ports/users.ts';

const userIdPattern = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
const groupPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const e164Pattern = /^\+[1-9][0-9]{6,14}$/;
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

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
  };

  constructor(deps: AdminService['deps']) {
    this.deps = deps;
  }

  async addUser(input: UserInput, actor: string): Promise<void> {
    validateUser(input);
    const passwordHash = input.password === null ? null : await this.hashPassword(input.password);
    await this.deps.users.create({
      id: input.id,
      displayName: input.displayName ?? input.id,
      passwordHash,
      phone: input.phone ?? null,
      email: input.email ?? null,
      groups: input.groups ?? [],
    });
    await this.audit('user.add', input.id, actor, {
      groups: input.groups ?? [],
      phone: Boolean(input.phone),
    });
  }

  async updateUser(id: string, changes: UserChanges & { password?: string }, actor: string): Promise<void> {
    if (changes.phone) validatePhone(changes.phone);
    if (changes.email) validateEmail(changes.email);
    const { password, ...rest } = changes;
    const passwordHash = password === undefined ? undefined : await this.hashPassword(password);
    await this.deps.users.update(id, { ...rest, ...(passwordHash ? { passwordHash } : {}) });
    const event =
      changes.locked === true ? 'user.lock' : changes.locked === false ? 'user.unlock' : 'user.update';
    await this.audit(event, id, actor, {
      fields: Object.keys(changes)
        .filter((k) => k !== 'password')
        .concat(password ? ['password'] : []),
    });
  }

  async removeUser(id: string, actor: string): Promise<void> {
    await this.deps.users.remove(id);
    await this.audit('user.delete', id, actor, {});
  }

  async addGroup(name: string, actor: string): Promise<void> {
    if (!groupPattern.test(name)) throw usage(`group name ${JSON.stringify(name)} is not valid`);
    await this.deps.users.createGroup(name);
    await this.audit('group.add', null, actor, { group: name });
  }

  async removeGroup(name: string, actor: string): Promise<void> {
    await this.deps.users.removeGroup(name);
    await this.audit('group.delete', null, actor, { group: name });
  }

  /** Parses and saves one rule line; a bad line changes nothing and names the field. */
  async setRule(line: string, actor: string): Promise<AccessRule> {
    const parsed = parseRule(line, this.deps.catalogue);
    if (!parsed.ok)
      throw new SekishoError('SEKISHO_ERR_RULE_INVALID', `rule: ${parsed.field}: ${parsed.message}`);
    await this.deps.rules.save(parsed.rule, actor);
    await this.audit('rule.set', null, actor, { rule: parsed.rule.line });
    return parsed.rule;
  }

  /** Imports a rules file all or nothing; every bad line is reported. */
  async importRules(text: string, actor: string, replace: boolean): Promise<number> {
    const parsed = parseRules(text, this.deps.catalogue);
    if (!parsed.ok) {
      const lines = parsed.errors.map((e) => `rule: line ${e.lineNumber}: ${e.field}: ${e.message}`);
      throw new SekishoError('SEKISHO_ERR_RULE_INVALID', lines.join('\n'));
    }
    await this.deps.rules.saveAll(parsed.rules, actor, replace);
    await this.audit('rule.import', null, actor, { count: parsed.rules.length, replace });
    return parsed.rules.length;
  }

  async deleteRule(prefixText: string, actor: string): Promise<void> {
    const prefix = parsePathPrefix(prefixText.trim());
    if (!prefix.ok)
      throw new SekishoError('SEKISHO_ERR_RULE_INVALID', `rule: path-prefix: ${prefix.message}`);
    const removed = await this.deps.rules.remove(prefix.value.host, prefix.value.prefix, actor);
    if (!removed) throw new SekishoError('SEKISHO_ERR_RULE_NOT_FOUND', `no rule for ${prefixText.trim()}`);
    await this.audit('rule.delete', null, actor, { prefix: prefixText.trim() });
  }

  private async hashPassword(password: string): Promise<string> {
    if (password.length < 8) throw usage('password must be at least 8 characters');
    if (password.length > 1024) throw usage('password must be at most 1024 characters');
    return this.deps.hasher.hash(password);
  }

  private async audit(event: string, userId: string | null, actor: string, detail: Record<string, unknown>) {
    await this.deps.audit.record({ event, outcome: 'success', userId, actor, detail });
  }
}

function validateUser(input: UserInput): void {
  if (!userIdPattern.test(input.id)) throw usage(`user ID ${JSON.stringify(input.id)} is not valid`);
  if (input.phone) validatePhone(input.phone);
  if (input.email) validateEmail(input.email);
  for (const group of input.groups ?? []) {
    if (!groupPattern.test(group)) throw usage(`group name ${JSON.stringify(group)} is not valid`);
  }
}

function validatePhone(phone: string): void {
  if (!e164Pattern.test(phone)) {
    throw new SekishoError(
      'SEKISHO_ERR_USER_INVALID',
      `phone ${JSON.stringify(phone)} is not E.164 (e.g. +819012345678)`,
    );
  }
}

function validateEmail(email: string): void {
  if (!emailPattern.test(email))
    throw new SekishoError('SEKISHO_ERR_USER_INVALID', `email ${JSON.stringify(email)} is not valid`);
}

function usage(message: string): SekishoError {
  return new SekishoError('SEKISHO_ERR_USER_INVALID', message);
}
