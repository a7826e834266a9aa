import { describe, expect, it } from 'vitest';
import { compileNetworks } from '../domain/networks.ts';
import { parseRule } from '../domain/rules/parse-rule.ts';
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
  it('a rule naming a user or group the auth DB lacks is medium, with what it likely meant', () => {
    const lines = [guardedAdmin, '/bk01/=@admin,hanako;;SMSOTP|MAMORU', '/bk02/=keiri;ghost;MAMORU'];
    const ruleSet = compileRuleSet(lines.map((line) => ruleOf(line, testCatalogue)));
    const principals = { users: ['hanako', 'taro'], groups: ['admins', 'keiri'] };
    const found = checkRules({
      ruleSet,
      catalogue: testCatalogue,
      adminPrefix: ADMIN,
      adminIsBuiltin: false,
      principals,
    });
    expect(found.map((f) => `${f.severity}:${f.id}:${f.subject}: ${f.message}`)).toEqual([
      'medium:rule-unknown-principal:/bk01/=@admin,hanako;;SMSOTP|MAMORU: allow names @admin, which is no user or group in the auth DB (did you mean @admins?)',
      'medium:rule-unknown-principal:/bk02/=keiri;ghost;MAMORU: allow names keiri, which is no user or group in the auth DB (did you mean @keiri?)',
      'medium:rule-unknown-principal:/bk02/=keiri;ghost;MAMORU: deny names ghost, which is no user or group in the auth DB',
    ]);
    // Without the auth DB's principals (no database reachable), nothing is claimed.
    expect(
      checkRules({ ruleSet, catalogue: testCatalogue, adminPrefix: ADMIN, adminIsBuiltin: false }),
    ).toEqual([]);
  });

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

describe('doctor: rules by network and by age of proof', () => {
  const networks = compileNetworks({ intranet: ['10.0.0.0/8'], office: ['10.1.0.0/16'] });
  const session = { idleTimeoutSeconds: 1800, absoluteTimeoutSeconds: 28_800 };
  function networkFindings(lines: string[]) {
    const rules = lines.map((line) => {
      const parsed = parseRule(line, testCatalogue, networks);
      if (!parsed.ok) throw new Error(line);
      return parsed.rule;
    });
    const ruleSet = compileRuleSet(rules, networks);
    return checkRules({
      ruleSet,
      catalogue: testCatalogue,
      adminPrefix: ADMIN,
      adminIsBuiltin: false,
      session,
    })
      .filter((f) => f.id.startsWith('rule-weaker') || f.id.startsWith('reauth'))
      .map((f) => `${f.severity}:${f.id}:${f.subject}`);
  }

  it('the office example has no findings', () => {
    expect(
      networkFindings([
        '/bk01/=ALL;;;from=intranet',
        '/bk01/=ALL;;SMSOTP',
        '/bk01/pay/=@pay;;SMSOTP;reauth=15m',
      ]),
    ).toEqual([]);
  });

  it.each<[string[], string[]]>([
    // Outside asks fewer methods than inside.
    [['/bk01/=ALL;;SMSOTP;from=intranet', '/bk01/=ALL;;'], ['high:rule-weaker-outside:/bk01/=ALL;;']],
    // Outside lets more users in.
    [
      ['/bk01/=@staff;;;from=intranet', '/bk01/=ALL;;SMSOTP'],
      ['high:rule-weaker-outside:/bk01/=ALL;;SMSOTP'],
    ],
    // A public outside.
    [['/bk01/=ALL;;;from=intranet', '/bk01/=ALL;;BYPASS'], ['high:rule-weaker-outside:/bk01/=ALL;;BYPASS']],
    // from=!intranet against the rule that then holds inside.
    [
      ['/bk01/=ALL;;;from=!intranet', '/bk01/=ALL;;SMSOTP'],
      ['high:rule-weaker-outside:/bk01/=ALL;;;from=!intranet'],
    ],
    // A negated rule for another network is not compared with this one.
    [['/bk01/=ALL;;SMSOTP;from=office', '/bk01/=ALL;;SMSOTP,TOTP;from=!intranet'], []],
  ])('%o → %o', (lines, expected) => {
    expect(networkFindings(lines)).toEqual(expected);
  });

  it('a reauth the session timers make pointless', () => {
    expect(
      networkFindings([
        '/a/=ALL;;SMSOTP;reauth=8h',
        '/b/=ALL;;SMSOTP;reauth=30m',
        '/c/=ALL;;SMSOTP;reauth=29m',
      ]),
    ).toEqual([
      'medium:reauth-no-effect:/a/=ALL;;SMSOTP;reauth=8h',
      'low:reauth-beyond-idle:/b/=ALL;;SMSOTP;reauth=30m',
    ]);
  });
});
