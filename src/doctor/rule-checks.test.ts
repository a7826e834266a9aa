import { describe, expect, it } from 'vitest';
import { compileRuleSet } from '../domain/rules/rule-set.ts';
import { catalogueOf, ruleOf, testCatalogue } from '../../test/support/rule-builder.ts';
import { checkRules, needsSecondFactor } from './rule-checks.ts';

const ADMIN = '/_sekisho/admin/';
const guardedAdmin = `${ADMIN}=@admins;;SMSOTP|MAMORU`;

function findings(lines: string[], adminIsBuiltin = false, catalogue = testCatalogue) {
  const ruleSet = compileRuleSet(lines.map((line) => ruleOf(line, catalogue)));
  return checkRules({ ruleSet, catalogue, adminPrefix: ADMIN, adminIsBuiltin }).map(
    (f) => `${f.severity}:${f.id}:${f.subject}`,
  );
}

describe('doctor: rule checks', () => {
  it('a sound rule set has no findings', () => {
    expect(
      findings([
        guardedAdmin,
        '/bk01/=ALL;;',
        '/bk02/=ALL;;MAMORU',
        '/bk04/=ALL;;SMSOTP|MAMORU',
        '/public/=ALL;;BYPASS',
      ]),
    ).toEqual([]);
  });

  it('BYPASS on / is high; BYPASS on a public prefix is fine', () => {
    expect(findings([guardedAdmin, '/=ALL;;BYPASS'])).toEqual(['high:bypass-root:/=ALL;;BYPASS']);
    expect(findings([guardedAdmin, 'http://intra.example/=ALL;;BYPASS'])).toEqual([
      'high:bypass-root:http://intra.example/=ALL;;BYPASS',
      'medium:host-bypass:http://intra.example/=ALL;;BYPASS',
    ]);
  });

  it('a host rule stricter than what other Hosts get is high: the client chooses its Host', () => {
    expect(findings([guardedAdmin, '/bk01/=ALL;;', 'http://intra.example/bk01/strict/=@admins;;'])).toEqual([
      'high:host-rule-avoidable:http://intra.example/bk01/strict/=@admins;;',
    ]);
    // Default deny for every other Host, or the same demands everywhere: nothing to avoid.
    expect(findings([guardedAdmin, 'http://intra.example/bk01/=@admins;;'])).toEqual([]);
    expect(findings([guardedAdmin, '/bk01/=@admins;;', 'http://intra.example/bk01/=@admins;;'])).toEqual([]);
  });

  it('a BYPASS rule for one Host is medium: anyone who sends that Host gets in', () => {
    expect(findings([guardedAdmin, '/bk01/=ALL;;', 'http://intra.example/bk01/pub/=ALL;;BYPASS'])).toEqual([
      'medium:host-bypass:http://intra.example/bk01/pub/=ALL;;BYPASS',
    ]);
  });

  it.each([
    ['password only', `${ADMIN}=@admins;;`],
    ['BYPASS', `${ADMIN}=ALL;;BYPASS`],
  ])('the admin path with %s is high', (_name, line) => {
    const found = findings([line]);
    expect(found.some((f) => f.startsWith('high:admin-single-factor:'))).toBe(true);
  });

  it('a rule under the admin path counts too', () => {
    expect(findings([guardedAdmin, `${ADMIN}rules/=@admins;;`])).toEqual([
      `high:admin-single-factor:${ADMIN}rules/=@admins;;`,
    ]);
  });

  it('names the built-in fallback when SMS is not configured', () => {
    const noSms = catalogueOf([{ name: 'MAMORU', passwordless: true }]);
    expect(findings([`${ADMIN}=@admins;;`], true, noSms)).toEqual([
      `high:admin-single-factor:${ADMIN}=@admins;; (built-in: SMS is not configured)`,
    ]);
  });

  it('the admin path open to everyone is medium', () => {
    expect(findings([`${ADMIN}=ALL;;SMSOTP|MAMORU`])).toEqual([
      `medium:admin-open-to-all:${ADMIN}=ALL;;SMSOTP|MAMORU`,
    ]);
  });

  it.each([
    ['/bk03/=ALL;;SMSOTP', true],
    ['/bk03/=ALL;;SMSOTP|MAMORU', false],
    ['/bk03/=ALL;;SMSOTP|TOTP', false],
    ['/bk03/=ALL;;SMSOTP,MAMORU', false],
    ['/bk03/=ALL;;MAMORU,SMSOTP', false],
    ['/bk03/=ALL;;TOTP', false],
  ])('%s: SMS as the only second factor → %s', (line, expected) => {
    expect(findings([guardedAdmin, line]).some((f) => f.startsWith('medium:sms-only-factor:'))).toBe(
      expected,
    );
  });

  it('the default admin rule with SMS alone is medium (SMS only), not high', () => {
    expect(findings([`${ADMIN}=@admins;;SMSOTP`], true)).toEqual([
      `medium:sms-only-factor:${ADMIN}=@admins;;SMSOTP`,
    ]);
  });

  it('needsSecondFactor: every path proves something besides the password', () => {
    expect(needsSecondFactor(ruleOf('/a/=ALL;;SMSOTP'), testCatalogue)).toBe(true);
    expect(needsSecondFactor(ruleOf('/a/=ALL;;MAMORU'), testCatalogue)).toBe(true);
    expect(needsSecondFactor(ruleOf('/a/=ALL;;'), testCatalogue)).toBe(false);
    expect(needsSecondFactor(ruleOf('/a/=ALL;;BYPASS'), testCatalogue)).toBe(false);
  });
});
