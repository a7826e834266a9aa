import { describe, expect, it } from 'vitest';
import { testCatalogue } from '../../test/support/rule-builder.ts';
import type { AuditEvent, AuditLog } from '../ports/audit.ts';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import type { RuleIdentity, RuleRepository } from '../ports/rules.ts';
import type { UserRecord, UserRepository } from '../ports/users.ts';
import { AdminService, UnknownPrincipalsError } from './admin-service.ts';

/** The service over an auth DB that knows these users and groups, with what it wrote and read. */
function adminWith(known: { users: readonly string[]; groups: readonly string[] }) {
  const saved: string[] = [];
  const removed: RuleIdentity[] = [];
  const audited: AuditEvent[] = [];
  const reads = { users: 0, groups: 0 };
  const users: Partial<UserRepository> = {
    find: async (id) => {
      reads.users++;
      return known.users.includes(id) ? ({ id } as UserRecord) : null;
    },
    list: async () => {
      reads.users++;
      return known.users.map((id) => ({ id }) as UserRecord);
    },
    listGroups: async () => {
      reads.groups++;
      return known.groups.map((name) => ({ name, members: [] }));
    },
  };
  const rules: Partial<RuleRepository> = {
    save: async (rule) => void saved.push(rule.line),
    saveAll: async (list) => void saved.push(...list.map((rule) => rule.line)),
    remove: async (identity) => {
      removed.push(identity);
      return true;
    },
  };
  const audit: AuditLog = { record: async (event) => void audited.push(event) };
  const admin = new AdminService({
    users: users as UserRepository,
    rules: rules as RuleRepository,
    hasher: {} as PasswordHasher,
    audit,
    catalogue: testCatalogue,
  });
  return { admin, saved, removed, audited, reads };
}

const directory = { users: ['taro'], groups: ['keiri', 'admins'] };

describe('AdminService: rules naming users or groups the auth DB does not know', () => {
  it('refuses them when the caller says nothing (the default), saving and auditing nothing', async () => {
    const { admin, saved, audited } = adminWith(directory);
    const refusal = admin.setRule('/bk01/=@keiri,jiro;@admin;', 'script');
    await expect(refusal).rejects.toBeInstanceOf(UnknownPrincipalsError);
    await expect(refusal).rejects.toMatchObject({
      code: 'SEKISHO_ERR_RULE_INVALID',
      unknown: [
        { field: 'allow', written: 'jiro', suggestion: null, lineNumber: 1 },
        { field: 'deny', written: '@admin', suggestion: '@admins', lineNumber: 1 },
      ],
    });
    expect(saved).toEqual([]);
    expect(audited).toEqual([]);
  });

  it('refuses an import naming one, numbered by the line of the file, and writes none of it', async () => {
    const { admin, saved } = adminWith(directory);
    const text = '# payroll\n/bk01/=@keiri;;\n\n/bk02/=@soumu;;SMSOTP\n';
    await expect(admin.importRules(text, 'script', true)).rejects.toMatchObject({
      unknown: [{ field: 'allow', written: '@soumu', lineNumber: 4 }],
      message: expect.stringContaining('rule: line 4: allow: no group "@soumu"'),
    });
    expect(saved).toEqual([]);
  });

  it("saves them when the caller says 'allow', the names kept in the audit row", async () => {
    const { admin, saved, audited } = adminWith(directory);
    await admin.setRule('/bk01/=@soumu;;', 'script', { unknownPrincipals: 'allow' });
    await admin.importRules('/bk02/=jiro;;\n', 'script', false, { unknownPrincipals: 'allow' });
    expect(saved).toEqual(['/bk01/=@soumu;;', '/bk02/=jiro;;']);
    expect(audited.map((row) => row.detail?.unknownPrincipals)).toEqual([['@soumu'], ['jiro']]);
  });

  it('saves ALL and BYPASS rules by default without reading users or groups: they name nobody', async () => {
    const { admin, saved, reads } = adminWith({ users: [], groups: [] });
    await admin.setRule('/bk01/=ALL;;SMSOTP', 'script');
    await admin.importRules('/public/=ALL;;BYPASS\n/=ALL;;', 'script', false);
    expect(saved).toEqual(['/bk01/=ALL;;SMSOTP', '/public/=ALL;;BYPASS', '/=ALL;;']);
    expect(reads).toEqual({ users: 0, groups: 0 });
  });

  it('takes the group names from a caller that has just read them', async () => {
    const { admin, reads } = adminWith(directory);
    const rule = await admin.setRule('/bk01/=@keiri;;', 'script');
    const before = reads.groups;
    const unknown = await admin.unknownPrincipals([rule], { groups: ['admins'], suggest: false });
    expect(unknown).toMatchObject([{ written: '@keiri' }]);
    expect(reads.groups).toBe(before);
  });
});

describe('AdminService.deleteRule: the from= network', () => {
  it.each([
    ['office', 'office'],
    [' !office ', '!office'],
    // Not in any configuration: a rule whose network was taken out can still be deleted.
    ['!overseas', '!overseas'],
    ['', null],
    [null, null],
  ])('%j names the rule keyed %j', async (from, keyed) => {
    const { admin, removed } = adminWith(directory);
    await admin.deleteRule('/bk01/', 'script', { from });
    expect(removed).toEqual([{ host: null, prefix: '/bk01/', from: keyed }]);
  });

  it.each([
    ['!', 'rule: from: empty; expected from=<network> or from=!<network>'],
    ['10.0.0.0/8', 'rule: from: invalid network name "10.0.0.0/8"'],
  ])('%j is refused as in a rule', async (from, message) => {
    const { admin, removed } = adminWith(directory);
    await expect(admin.deleteRule('/bk01/', 'script', { from })).rejects.toMatchObject({
      code: 'SEKISHO_ERR_RULE_INVALID',
      message,
    });
    expect(removed).toEqual([]);
  });
});
