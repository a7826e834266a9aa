import { describe, expect, it } from 'vitest';
import { findRuleWarnings, type RuleWarning } from './rule-warnings.ts';
import { ruleOf, testCatalogue } from '../../../test/support/rule-builder.ts';

const paths = { own: '/_sekisho/', console: '/_sekisho/admin/' };
const consoleRule = '/_sekisho/admin/=@admins;;SMSOTP';

function warningsOf(lines: string[], backends?: string[]): string[] {
  const rules = lines.map((line) => ruleOf(line));
  return findRuleWarnings(rules, { catalogue: testCatalogue, paths, backends }).map(describeWarning);
}

function describeWarning(w: RuleWarning): string {
  const related = w.related ? ` <- ${w.related}` : '';
  const aspects = w.aspects.length > 0 ? ` [${w.aspects.join(',')}]` : '';
  return `${w.severity} ${w.code}: ${w.rule}${related}${aspects}`;
}

describe('findRuleWarnings', () => {
  it('finds nothing in a sensible rule set', () => {
    expect(
      warningsOf([
        consoleRule,
        '/portal/=ALL;;',
        '/keiri/=@keiri;;SMSOTP',
        '/keiri/audit/=@keiri;taro;SMSOTP,TOTP',
        '/public/=ALL;;BYPASS',
        '/public/staff/=ALL;;',
      ]),
    ).toEqual([]);
  });

  it.each<[string, string[], string[]]>([
    [
      'own pages other than the console are never decided by rules',
      ['/_sekisho/=ALL;;', '/_sekisho/login/=ALL;;BYPASS'],
      ['warning unreachable: /_sekisho/login/=ALL;;BYPASS', 'warning unreachable: /_sekisho/=ALL;;'],
    ],
    [
      'an allow list wholly denied lets nobody in',
      ['/bk01/=taro,@keiri;@keiri,taro;'],
      ['warning nobody-allowed: /bk01/=taro,@keiri;@keiri,taro;'],
    ],
    ['BYPASS on / ends default deny', ['/=ALL;;BYPASS'], ['warning bypass-root: /=ALL;;BYPASS']],
    [
      'a public console is unusable and public',
      ['/_sekisho/admin/=ALL;;BYPASS'],
      ['warning console-public: /_sekisho/admin/=ALL;;BYPASS'],
    ],
    [
      'a console behind one factor, open to all',
      ['/_sekisho/admin/=ALL;;'],
      [
        'warning console-single-factor: /_sekisho/admin/=ALL;;',
        'warning console-allow-all: /_sekisho/admin/=ALL;;',
      ],
    ],
    [
      'passwordless push alone is one factor for the console',
      ['/_sekisho/admin/=@admins;;MAMORU|SMSOTP'],
      ['warning console-single-factor: /_sekisho/admin/=@admins;;MAMORU|SMSOTP'],
    ],
  ])('%s', (_name, lines, expected) => {
    expect(warningsOf(lines)).toEqual(expected);
  });

  it('a longer prefix that asks less replaces its parent (rules do not inherit)', () => {
    expect(warningsOf(['/keiri/=@keiri;taro;SMSOTP', '/keiri/reports/=ALL;;'])).toEqual([
      'warning weaker-than-parent: /keiri/reports/=ALL;; <- /keiri/=@keiri;taro;SMSOTP [allow,deny,methods]',
    ]);
  });

  it('a child offering an easier alternative is weaker in its methods only', () => {
    expect(warningsOf(['/bk03/=@keiri;;SMSOTP', '/bk03/x/=@keiri;;SMSOTP|TOTP'])).toEqual([
      'warning weaker-than-parent: /bk03/x/=@keiri;;SMSOTP|TOTP <- /bk03/=@keiri;;SMSOTP [methods]',
    ]);
  });

  it('identical prefixes across hosts: a weaker host rule is a warning, a stricter one is avoidable by another Host', () => {
    expect(
      warningsOf([
        '/bk01/=ALL;;SMSOTP',
        'http://intra.example/bk01/=ALL;;',
        'http://extra.example/bk01/=@admins;;SMSOTP',
      ]),
    ).toEqual([
      'warning host-avoidable: http://extra.example/bk01/=@admins;;SMSOTP <- /bk01/=ALL;;SMSOTP [allow]',
      'info host-override: http://extra.example/bk01/=@admins;;SMSOTP <- /bk01/=ALL;;SMSOTP',
      'warning host-weaker: http://intra.example/bk01/=ALL;; <- /bk01/=ALL;;SMSOTP [methods]',
    ]);
  });

  it('a stricter host rule on a longer prefix is avoidable: another Host gets the generic parent', () => {
    expect(warningsOf(['/bk01/=ALL;;', 'http://intra.example/bk01/strict/=@admins;;SMSOTP'])).toEqual([
      'warning host-avoidable: http://intra.example/bk01/strict/=@admins;;SMSOTP <- /bk01/=ALL;; [allow,methods]',
    ]);
  });

  it('a host rule is not avoidable when other Hosts get default deny or the same demands', () => {
    expect(warningsOf(['http://intra.example/bk01/=@admins;;SMSOTP'])).toEqual([]);
    expect(warningsOf(['/bk01/=@admins;;SMSOTP', 'http://intra.example/bk01/x/=@admins;;SMSOTP'])).toEqual([
      'info redundant: http://intra.example/bk01/x/=@admins;;SMSOTP <- /bk01/=@admins;;SMSOTP',
    ]);
  });

  it('a generic longer prefix escapes a host-specific parent for that host', () => {
    expect(warningsOf(['http://intra.example/bk01/=@admins;;SMSOTP', '/bk01/open/=ALL;;'])).toEqual([
      'warning weaker-than-parent: /bk01/open/=ALL;; <- http://intra.example/bk01/=@admins;;SMSOTP [allow,methods]',
    ]);
  });

  it('public holes are noted; rules under a BYPASS area are stricter and fine; repeats are redundant', () => {
    expect(
      warningsOf([
        '/bk01/=@staff;;',
        '/bk01/news/=ALL;;BYPASS',
        '/public/=ALL;;BYPASS',
        '/public/a/=ALL;;BYPASS',
      ]),
    ).toEqual([
      'info public-hole: /bk01/news/=ALL;;BYPASS <- /bk01/=@staff;;',
      'info redundant: /public/a/=ALL;;BYPASS <- /public/=ALL;;BYPASS',
    ]);
    expect(warningsOf(['/bk01/=@staff;;', '/bk01/a/=@staff;;'])).toEqual([
      'info redundant: /bk01/a/=@staff;; <- /bk01/=@staff;;',
    ]);
  });

  it('a host rule made public is weaker than the generic rule it replaces', () => {
    expect(warningsOf(['/bk01/=ALL;;', 'http://intra.example/bk01/=ALL;;BYPASS'])).toEqual([
      'warning host-weaker: http://intra.example/bk01/=ALL;;BYPASS <- /bk01/=ALL;; [methods]',
    ]);
  });

  it('notes prefixes no backend serves, when the backends are known', () => {
    expect(warningsOf(['/bk01/=ALL;;', '/bk09/=ALL;;', consoleRule], ['bk01'])).toEqual([
      'info no-backend: /bk09/=ALL;;',
    ]);
    expect(warningsOf(['/=ALL;;'], ['bk01'])).toEqual([]);
  });
});
