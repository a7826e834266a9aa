import { describe, it, expect } from 'vitest';
import { decideAccess, explainAccess, nextMethods, requiredPaths, waysToPass } from './decide.ts';
import { explainForUser, formatUserExplanation } from './explain-user.ts';
import { compileRuleSet } from './rule-set.ts';
import { ruleOf, ruleSetOf, testCatalogue } from '../../../test/support/rule-builder.ts';
import type { RuleSet } from './rule-set.ts';
import type { AccessDecision, ProvenIdentity } from './types.ts';

const who = (userId: string, groups: string[] = [], proven: string[] = ['password']): ProvenIdentity => ({
  userId,
  groups,
  proven,
});

function decide(
  set: RuleSet,
  rawPath: string,
  identity: ProvenIdentity | null = null,
  host: string | null = null,
) {
  return decideAccess(set, { host, rawPath }, identity, testCatalogue, 0);
}

/** The decision without its rule object, plus the matched rule's line, for compact tables. */
function summary(decision: AccessDecision): Record<string, unknown> {
  if (!('rule' in decision)) return { ...decision };
  const { rule, ...rest } = decision;
  return { ...rest, line: rule.line };
}

describe('requiredPaths', () => {
  it.each<[string, string[][]]>([
    ['', [['password']]],
    ['SMSOTP', [['password', 'SMSOTP']]],
    ['MAMORU', [['MAMORU']]],
    ['PUSH', [['MAMORU']]],
    ['SMSOTP|MAMORU', [['password', 'SMSOTP'], ['MAMORU']]],
    ['SMSOTP,TOTP', [['password', 'SMSOTP', 'TOTP']]],
    ['MAMORU,SMSOTP', [['MAMORU', 'SMSOTP']]],
    ['SMSOTP,MAMORU', [['password', 'SMSOTP', 'MAMORU']]],
    [
      'SMSOTP|MAMORU,TOTP',
      [
        ['password', 'SMSOTP', 'TOTP'],
        ['MAMORU', 'TOTP'],
      ],
    ],
    ['BYPASS', []],
  ])('%j → %j', (methods, expected) => {
    expect(requiredPaths(ruleOf(`/x/=ALL;;${methods}`).methods, testCatalogue)).toEqual(expected);
  });

  it('treats an empty step as unsatisfiable', () => {
    const rule = { ...ruleOf('/x/=ALL;;'), methods: { kind: 'steps' as const, steps: [['SMSOTP'], []] } };
    expect(requiredPaths(rule.methods, testCatalogue)).toEqual([]);
    expect(decide(compileRuleSet([rule]), '/x/', who('taro')).kind).toBe('forbidden');
  });
});

describe('decideAccess: paths and rules', () => {
  const set = ruleSetOf('/bk01/=ALL;;SMSOTP', '/public/=ALL;;BYPASS', 'http://h/bk01/=ALL;;TOTP');
  it.each<[string, string | null, Record<string, unknown>]>([
    [
      '/bk01/',
      null,
      { kind: 'authenticate', path: '/bk01/', next: ['password'], line: '/bk01/=ALL;;SMSOTP' },
    ],
    ['/BK01', null, { kind: 'authenticate', path: '/BK01', line: '/bk01/=ALL;;SMSOTP' }],
    ['/public/x', null, { kind: 'bypass', path: '/public/x', line: '/public/=ALL;;BYPASS' }],
    ['/public/../bk01/', null, { kind: 'authenticate', path: '/bk01/', line: '/bk01/=ALL;;SMSOTP' }],
    ['/bk01/', 'H:8080', { kind: 'authenticate', line: 'http://h/bk01/=ALL;;TOTP' }],
    ['/', null, { kind: 'no-rule', path: '/' }],
    ['/bk02/', null, { kind: 'no-rule', path: '/bk02/' }],
    ['/a/%2f', null, { kind: 'bad-path', reason: 'encoded slash' }],
    ['bk01/', null, { kind: 'bad-path' }],
  ])('%s (host %s)', (rawPath, host, expected) => {
    expect(summary(decide(set, rawPath, null, host))).toMatchObject(expected);
  });
});

describe('decideAccess: path attacks never reach the public rule', () => {
  const set = ruleSetOf('/open/=ALL;;BYPASS', '/secret/=@admins;;SMSOTP');
  const attacks = [
    '/open/../secret/',
    '/open/%2e%2e/secret/',
    '/open/%2E%2e/secret/',
    '/open/.%2e/secret/',
    '/open/%2f../secret/',
    '/open/%5c../secret/',
    '/open/\\../secret/',
    '//secret/',
    '/open/%00/../secret/',
    '/open/..;/secret/',
    '/open/;/../secret/',
    '/open/%2e%2e;/secret/',
    '/open/..%3B/secret/',
    '/open/%252e%252e/secret/',
    '/OPEN/../SECRET/',
    '/open/x/../../secret/',
    '/open/../../secret/',
    '/secret;x/',
    '/secret%3Bx/page',
  ];
  it.each(attacks)('%s', (rawPath) => {
    for (const identity of [null, who('mallory'), who('root', ['admins'], ['password', 'SMSOTP'])]) {
      const decision = decide(set, rawPath, identity);
      if (decision.kind === 'bad-path') continue;
      expect(decision.kind).not.toBe('bypass');
      expect(summary(decision)).toMatchObject({ line: '/secret/=@admins;;SMSOTP' });
    }
  });

  it('leaves a path parameter alone when it does not change the rule', () => {
    expect(summary(decide(set, '/open/app;jsessionid=1'))).toMatchObject({ kind: 'bypass' });
    expect(summary(decide(set, '/secret/app;jsessionid=1', null))).toMatchObject({ kind: 'authenticate' });
  });
});

describe('decideAccess: allow and deny', () => {
  const set = ruleSetOf('/bk03/=@keiri,@admins,hanako;taro,@temp;', '/all/=ALL;@Temp;', '/any/=ALL;;');
  it.each<[string, ProvenIdentity, AccessDecision['kind']]>([
    ['/bk03/', who('jiro', ['keiri']), 'allow'],
    ['/bk03/', who('hanako'), 'allow'],
    ['/bk03/', who('HANAKO'), 'forbidden'],
    ['/bk03/', who('jiro', ['Keiri']), 'forbidden'],
    ['/bk03/', who('jiro', ['sales']), 'forbidden'],
    ['/bk03/', who('taro', ['keiri']), 'forbidden'],
    ['/bk03/', who('jiro', ['admins', 'temp']), 'forbidden'],
    ['/bk03/', who('jiro', ['keiri'], []), 'authenticate'],
    ['/bk03/', who('taro', ['keiri'], []), 'forbidden'],
    ['/all/', who('anyone'), 'allow'],
    ['/all/', who('temp1', ['Temp']), 'forbidden'],
    ['/all/', who('temp2', ['temp']), 'allow'],
    ['/any/', who('x'), 'allow'],
  ])('%s for %o → %s', (path, identity, kind) => {
    expect(decide(set, path, identity).kind).toBe(kind);
  });
});

describe('decideAccess: step-up asks only for what is missing', () => {
  const set = ruleSetOf(
    '/pw/=ALL;;',
    '/sms/=ALL;;SMSOTP',
    '/either/=ALL;;SMSOTP|MAMORU',
    '/both/=ALL;;SMSOTP,TOTP',
    '/push-then-sms/=ALL;;MAMORU,SMSOTP',
    '/mixed/=ALL;;SMSOTP|MAMORU,TOTP',
  );
  it.each<[string, string[] | null, Record<string, unknown>]>([
    ['/pw/', null, { kind: 'authenticate', next: ['password'] }],
    ['/pw/', ['password'], { kind: 'allow' }],
    ['/pw/', ['MAMORU'], { kind: 'authenticate', next: ['password'] }],
    ['/sms/', null, { kind: 'authenticate', next: ['password'] }],
    ['/sms/', ['password'], { kind: 'authenticate', next: ['SMSOTP'] }],
    ['/sms/', ['password', 'SMSOTP'], { kind: 'allow' }],
    ['/sms/', ['password', 'TOTP'], { kind: 'authenticate', next: ['SMSOTP'] }],
    ['/sms/', ['SMSOTP'], { kind: 'authenticate', next: ['password'] }],
    ['/either/', null, { kind: 'authenticate', next: ['password', 'MAMORU'] }],
    ['/either/', ['password'], { kind: 'authenticate', next: ['SMSOTP', 'MAMORU'] }],
    ['/either/', ['MAMORU'], { kind: 'allow' }],
    ['/either/', ['password', 'SMSOTP'], { kind: 'allow' }],
    ['/both/', ['password'], { kind: 'authenticate', next: ['SMSOTP'] }],
    ['/both/', ['password', 'SMSOTP'], { kind: 'authenticate', next: ['TOTP'] }],
    ['/both/', ['password', 'SMSOTP', 'TOTP'], { kind: 'allow' }],
    ['/push-then-sms/', null, { kind: 'authenticate', next: ['MAMORU'] }],
    ['/push-then-sms/', ['password'], { kind: 'authenticate', next: ['MAMORU'] }],
    ['/push-then-sms/', ['MAMORU'], { kind: 'authenticate', next: ['SMSOTP'] }],
    ['/mixed/', null, { kind: 'authenticate', next: ['password', 'MAMORU'] }],
    ['/mixed/', ['MAMORU'], { kind: 'authenticate', next: ['TOTP', 'password'] }],
    ['/mixed/', ['password', 'SMSOTP'], { kind: 'authenticate', next: ['TOTP', 'MAMORU'] }],
    ['/mixed/', ['password', 'TOTP'], { kind: 'authenticate', next: ['SMSOTP', 'MAMORU'] }],
  ])('%s with %j → %o', (path, proven, expected) => {
    const identity = proven === null ? null : who('taro', [], proven);
    expect(decide(set, path, identity)).toMatchObject(expected);
  });
});

describe('nextMethods', () => {
  it.each<[string[][], string[], string[]]>([
    [[['password', 'SMSOTP'], ['MAMORU']], [], ['MAMORU', 'password']],
    [[['password', 'SMSOTP', 'TOTP'], ['MAMORU']], ['password'], ['MAMORU', 'SMSOTP']],
    [
      [
        ['password', 'SMSOTP'],
        ['password', 'TOTP'],
      ],
      ['password'],
      ['SMSOTP', 'TOTP'],
    ],
    [[['password']], ['password'], []],
    [[['password', 'SMSOTP']], ['password', 'RECOVERY'], []],
    [[['MAMORU']], ['password', 'RECOVERY'], []],
    [[['password', 'SMSOTP']], ['RECOVERY'], ['password']],
  ])('%j proven %j → %j', (paths, proven, expected) => {
    expect(nextMethods({ paths, standIns: [['password', 'RECOVERY']] }, proven)).toEqual(expected);
  });

  it('never offers a stand-in as a next step', () => {
    const ways = { paths: [['password', 'SMSOTP']], standIns: [['password', 'RECOVERY']] };
    expect(nextMethods(ways, ['password'])).toEqual(['SMSOTP']);
    expect(nextMethods(ways, [])).toEqual(['password']);
  });
});

describe('the recovery code, one of the ways of passing every rule that asks for methods', () => {
  it.each<[string, string[][], string[][]]>([
    ['/x/=ALL;;SMSOTP', [['password', 'SMSOTP']], [['password', 'RECOVERY']]],
    ['/x/=ALL;;MAMORU', [['MAMORU']], [['password', 'RECOVERY']]],
    ['/x/=ALL;;', [['password']], [['password', 'RECOVERY']]],
    ['/x/=ALL;;BYPASS', [], []],
  ])('%s → %j, or %j', (line, paths, standIns) => {
    expect(waysToPass(ruleOf(line).methods, testCatalogue)).toEqual({ paths, standIns });
  });

  const set = ruleSetOf(
    '/sms/=ALL;;SMSOTP,TOTP',
    '/push/=ALL;;MAMORU',
    '/new/=ALL;;;newdevice=SMSOTP',
    '/fresh/=ALL;;SMSOTP;reauth=10m',
    '/deny/=ALL;jiro;SMSOTP',
  );
  const recovered = (extra: Partial<ProvenIdentity> = {}): ProvenIdentity => ({
    ...who('jiro', [], ['password', 'RECOVERY']),
    ...extra,
  });
  it.each<[string, ProvenIdentity, string]>([
    ['/sms/', recovered(), 'allow'],
    ['/push/', recovered(), 'allow'],
    ['/new/', recovered({ newEnvironment: true }), 'allow'],
    ['/deny/', recovered(), 'forbidden'],
  ])('%s with password,RECOVERY → %s', (path, identity, kind) => {
    expect(decide(set, path, identity).kind).toBe(kind);
  });

  it('a stale recovery code counts as unproven where reauth= asks for fresh proofs', () => {
    const identity = recovered({ provenAt: { password: 0, RECOVERY: 0 } });
    const at = (now: number) =>
      decideAccess(set, { host: null, rawPath: '/fresh/' }, identity, testCatalogue, now);
    expect(at(600_000).kind).toBe('allow');
    expect(at(600_001)).toMatchObject({ kind: 'authenticate', next: ['SMSOTP'] });
  });

  it('is shown by rule explain (CLI and console), and its way is never a next step', () => {
    const explained = explainForUser(set, { host: null, rawPath: '/sms/' }, null, testCatalogue, { now: 0 });
    expect(formatUserExplanation(explained)).toEqual([
      'path: /sms/',
      'rule: /sms/=ALL;;SMSOTP,TOTP',
      'requires: password -> SMSOTP -> TOTP',
      'or a recovery code: password -> RECOVERY (stands in for the methods; offered by a link on every factor page, not as a next step)',
      'no session',
      'decision: authenticate; next: password',
    ]);
    const bypass = explainAccess(
      ruleSetOf('/p/=ALL;;BYPASS'),
      { host: null, rawPath: '/p/' },
      null,
      testCatalogue,
      {
        now: 0,
      },
    );
    expect(bypass.lines.join('\n')).not.toContain('recovery code');
  });
});

describe('explainAccess', () => {
  const set = ruleSetOf('/bk03/=@keiri;taro;SMSOTP|MAMORU', '/public/=ALL;;BYPASS');
  it.each<[string, ProvenIdentity | null, string[]]>([
    ['/a/%2f', null, ['path refused (400): encoded slash']],
    ['/nothing/', null, ['path: /nothing/', 'no rule matches: default deny (403)']],
    [
      '/x/../public/',
      null,
      ['path: /public/ (from /x/../public/)', 'rule: /public/=ALL;;BYPASS', 'public path'],
    ],
    ['/bk03/', null, ['requires: password -> SMSOTP  or  MAMORU', 'no session', 'next: password or MAMORU']],
    ['/bk03/', who('taro', ['keiri']), ['user taro (groups keiri) is denied by taro', 'forbidden']],
    ['/bk03/', who('jiro', ['sales']), ['user jiro (groups sales) matches no allow entry', 'forbidden']],
    [
      '/bk03/',
      who('jiro', ['keiri']),
      ['is allowed by @keiri', 'proven: password', 'next: SMSOTP or MAMORU'],
    ],
    ['/bk03/', who('jiro', ['keiri'], ['MAMORU']), ['proven: MAMORU', 'decision: allow']],
  ])('%s for %o', (rawPath, identity, fragments) => {
    const { decision, lines } = explainAccess(set, { host: null, rawPath }, identity, testCatalogue, {
      now: 0,
    });
    expect(decision).toEqual(decideAccess(set, { host: null, rawPath }, identity, testCatalogue, 0));
    const text = lines.join('\n');
    for (const fragment of fragments) expect(text).toContain(fragment);
  });
});
