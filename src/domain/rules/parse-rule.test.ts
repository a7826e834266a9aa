import { describe, it, expect } from 'vitest';
import { compileNetworks } from '../networks.ts';
import { parseNetworkCondition } from './parse-options.ts';
import { formatRuleError, parseRule, parseRules, parseStoredRules } from './parse-rule.ts';
import { testCatalogue } from '../../../test/support/rule-builder.ts';
import type { AccessRule, Principal, RuleField } from './types.ts';

const user = (id: string): Principal => ({ kind: 'user', id });
const group = (name: string): Principal => ({ kind: 'group', name });

function parsed(line: string): AccessRule {
  const result = parseRule(line, testCatalogue);
  if (!result.ok) throw new Error(`${line}: ${formatRuleError(result)}`);
  return result.rule;
}

describe('parseRule accepts', () => {
  it.each<[string, Partial<AccessRule>]>([
    [
      '/bk01/=ALL;;SMSOTP',
      { host: null, prefix: '/bk01/', allow: 'all', deny: [], line: '/bk01/=ALL;;SMSOTP' },
    ],
    ['/bk02/=ALL;;MAMORU', { methods: { kind: 'steps', steps: [['MAMORU']] }, line: '/bk02/=ALL;;MAMORU' }],
    [
      '/bk03/=@keiri,@admins;taro;SMSOTP|TOTP',
      {
        allow: [group('keiri'), group('admins')],
        deny: [user('taro')],
        methods: { kind: 'steps', steps: [['SMSOTP', 'TOTP']] },
        line: '/bk03/=@keiri,@admins;taro;SMSOTP|TOTP',
      },
    ],
    ['/public/=ALL;;BYPASS', { methods: { kind: 'bypass' }, line: '/public/=ALL;;BYPASS' }],
    ['/public/=all;;bypass', { allow: 'all', methods: { kind: 'bypass' }, line: '/public/=ALL;;BYPASS' }],
    ['/=ALL;;', { prefix: '/', methods: { kind: 'steps', steps: [] }, line: '/=ALL;;' }],
    ['/push/=ALL;;push', { methods: { kind: 'steps', steps: [['MAMORU']] }, line: '/push/=ALL;;MAMORU' }],
    [
      '/two/=ALL;;smsotp,totp',
      { methods: { kind: 'steps', steps: [['SMSOTP'], ['TOTP']] }, line: '/two/=ALL;;SMSOTP,TOTP' },
    ],
    [
      '/mix/=ALL;;SMSOTP,TOTP|MAMORU',
      {
        methods: { kind: 'steps', steps: [['SMSOTP'], ['TOTP', 'MAMORU']] },
        line: '/mix/=ALL;;SMSOTP,TOTP|MAMORU',
      },
    ],
    [
      '  /ws/ = taro , @keiri ; jiro ; SMSOTP | TOTP  ',
      {
        allow: [user('taro'), group('keiri')],
        deny: [user('jiro')],
        line: '/ws/=taro,@keiri;jiro;SMSOTP|TOTP',
      },
    ],
    ['/BK01/Admin/=ALL;;', { prefix: '/bk01/admin/', line: '/BK01/Admin/=ALL;;' }],
    ['/%41b%7e/=ALL;;', { prefix: '/ab~/', line: '/Ab~/=ALL;;' }],
    ['/caf%c3%a9/=ALL;;', { prefix: '/caf%c3%a9/', line: '/caf%C3%A9/=ALL;;' }],
    ['/経理/=ALL;;', { prefix: '/%e7%b5%8c%e7%90%86/', line: '/%E7%B5%8C%E7%90%86/=ALL;;' }],
    [
      'http://Intra.Example.COM/bk01/=ALL;;',
      { host: 'intra.example.com', line: 'http://intra.example.com/bk01/=ALL;;' },
    ],
    [
      'HTTPS://host:8443/x/=ALL;;TOTP',
      { host: 'host:8443', prefix: '/x/', line: 'https://host:8443/x/=ALL;;TOTP' },
    ],
    ['http://host/=ALL;;', { host: 'host', prefix: '/' }],
    ['http://[::1]:8080/x/=ALL;;', { host: '[::1]:8080' }],
    ['/u/=taro.yamada@example.jp,a-b_c;;', { allow: [user('taro.yamada@example.jp'), user('a-b_c')] }],
  ])('%s', (line, expected) => {
    expect(parsed(line)).toMatchObject(expected);
  });

  it('round-trips its canonical line', () => {
    const rule = parsed(' http://H/bk03/ = @keiri , taro ; @temp ; push , smsotp|totp ');
    expect(parsed(rule.line)).toEqual(rule);
  });
});

describe('parseRule rejects', () => {
  it.each<[string, RuleField, string]>([
    ['', 'line', 'empty'],
    ['/bk01/ALL;;SMSOTP', 'line', '"="'],
    ['/bk01/=ALL;SMSOTP', 'line', 'found 2'],
    ['/bk01/=ALL;;SMSOTP;', 'line', 'found 4'],
    ['/bk01/=ALL;;a=b', 'line', 'more than one'],
    ['bk01/=ALL;;', 'path-prefix', 'absolute'],
    ['=ALL;;', 'path-prefix', 'empty'],
    ['/bk01=ALL;;', 'path-prefix', 'must end with "/"'],
    ['/a/../b/=ALL;;', 'path-prefix', 'dot segment'],
    ['/a/./=ALL;;', 'path-prefix', 'dot segment'],
    ['/a/%2e%2e/=ALL;;', 'path-prefix', 'dot segment'],
    ['/a//b/=ALL;;', 'path-prefix', '//'],
    ['//a/=ALL;;', 'path-prefix', '//'],
    ['/a%2fb/=ALL;;', 'path-prefix', 'encoded slash'],
    ['/a%252e/=ALL;;', 'path-prefix', 'double'],
    ['/a\\b/=ALL;;', 'path-prefix', 'not allowed'],
    ['/a b/=ALL;;', 'path-prefix', 'not allowed'],
    ['/a;x/=ALL;;', 'path-prefix', 'path parameters'],
    ['/a?x/=ALL;;', 'path-prefix', 'not allowed'],
    ['ftp://x/=ALL;;', 'path-prefix', 'scheme "ftp"'],
    ['http://host=ALL;;', 'path-prefix', 'no path'],
    ['http:///x/=ALL;;', 'path-prefix', 'invalid host'],
    ['http://user@host/x/=ALL;;', 'path-prefix', 'invalid host'],
    ['http://host:99999/x/=ALL;;', 'path-prefix', 'invalid port'],
    ['http://host/x=ALL;;', 'path-prefix', 'must end with "/"'],
    ['/a/=;;', 'allow', 'use ALL'],
    ['/a/=-taro;;', 'allow', '"-taro"'],
    ['/a/=ta ro;;', 'allow', '"ta ro"'],
    ['/a/=@;;', 'allow', '"@"'],
    ['/a/=@ke iri;;', 'allow', '"@ke iri"'],
    ['/a/=a,,b;;', 'allow', 'empty entry'],
    ['/a/=a,;;', 'allow', 'empty entry'],
    ['/a/=ALL,taro;;', 'allow', 'ALL'],
    ['/a/=taro,taro;;', 'allow', 'duplicate entry "taro"'],
    ['/a/=ALL;@;', 'deny', '"@"'],
    ['/a/=ALL;x,,y;', 'deny', 'empty entry'],
    ['/a/=ALL;ALL;', 'deny', 'ALL'],
    ['/a/=ALL;bad!;', 'deny', '"bad!"'],
    ['/a/=ALL;;FOO', 'methods', 'unknown method "FOO"'],
    ['/a/=ALL;;SMSOTP,SMSOTP', 'methods', 'duplicate method "SMSOTP"'],
    ['/a/=ALL;;SMSOTP|smsotp', 'methods', 'duplicate method "SMSOTP"'],
    ['/a/=ALL;;MAMORU|PUSH', 'methods', 'duplicate method "MAMORU" (written "PUSH")'],
    ['/a/=ALL;;SMSOTP,,TOTP', 'methods', 'empty method'],
    ['/a/=ALL;;SMSOTP|', 'methods', 'empty method'],
    ['/a/=ALL;;SMS OTP', 'methods', 'invalid method name'],
    ['/a/=ALL;;BYPASS,SMSOTP', 'methods', 'BYPASS cannot be combined'],
    ['/a/=ALL;;BYPASS|TOTP', 'methods', 'BYPASS cannot be combined'],
    ['/a/=@admins;;BYPASS', 'allow', 'public'],
    ['/a/=ALL;taro;BYPASS', 'deny', 'public'],
    ['/a/=ALL;;password', 'methods', 'implicit'],
    ['/a/=ALL;;PASSWORD,SMSOTP', 'methods', 'implicit'],
  ])('%j → %s', (line, field, message) => {
    const result = parseRule(line, testCatalogue);
    expect(result).toMatchObject({ ok: false, field });
    if (!result.ok) expect(result.message).toContain(message);
  });
});

describe('parseRules', () => {
  it('parses a file, skipping blank lines and comments', () => {
    const text = '# rules\n\n/bk01/=ALL;;SMSOTP\r\n  # indented comment\n/public/=ALL;;BYPASS\n';
    const result = parseRules(text, testCatalogue);
    expect(result.ok && result.rules.map((r) => r.line)).toEqual([
      '/bk01/=ALL;;SMSOTP',
      '/public/=ALL;;BYPASS',
    ]);
  });

  it('reports every bad line and duplicate prefixes', () => {
    const text = [
      '/bk01/=ALL;;SMSOTP',
      '/bk02/=ALL;;FOO',
      '# comment',
      '/BK01/=ALL;;',
      'http://h/bk01/=ALL;;',
      'http://H:80/bk01/=ALL;;',
      'http://h/bk01/=ALL;;TOTP',
      'nonsense',
    ].join('\n');
    const result = parseRules(text, testCatalogue);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.lineNumber, e.field])).toEqual([
      [2, 'methods'],
      [4, 'path-prefix'],
      [7, 'path-prefix'],
      [8, 'line'],
    ]);
    expect(result.errors[1]?.message).toBe('duplicate rule for /bk01/ (first on line 1)');
    expect(result.errors[2]?.message).toBe('duplicate rule for h/bk01/ (first on line 5)');
  });

  it('accepts an empty file', () => {
    expect(parseRules('\n# nothing\n', testCatalogue)).toEqual({ ok: true, rules: [] });
  });
});

describe('a from= network the configuration does not define', () => {
  const office = compileNetworks({ office: ['10.20.0.0/16'] });

  it('is refused with the code unknown-network, which no other refusal carries', () => {
    expect(parseRule('/bk01/=ALL;;;from=!overseas', testCatalogue, office)).toEqual({
      ok: false,
      field: 'from',
      message: 'unknown network "overseas" (known: office)',
      code: 'unknown-network',
    });
    // A malformed name is the rule's own mistake, not the configuration's.
    for (const line of ['/bk01/=ALL;;;from=10.0.0.0/8', '/bk01/=ALL;;;from=!', '/bk01/=ALL;;FOO;from=office'])
      expect(parseRule(line, testCatalogue, office)).not.toHaveProperty('code');
  });

  it('keeps its code in a rules file and among stored rules', () => {
    const file = parseRules(
      '/bk01/=ALL;;\n/bk02/=ALL;;;from=overseas\n/bk03/=ALL;;FOO',
      testCatalogue,
      office,
    );
    expect(file.ok ? [] : file.errors.map((e) => [e.lineNumber, e.code])).toEqual([
      [2, 'unknown-network'],
      [3, undefined],
    ]);
    const stored = parseStoredRules(['/bk02/=ALL;;;from=overseas', '/bk03/=ALL;;FOO'], testCatalogue, office);
    expect(stored.broken).toEqual([
      {
        line: '/bk02/=ALL;;;from=overseas',
        error: 'from: unknown network "overseas" (known: office)',
        code: 'unknown-network',
      },
      { line: '/bk03/=ALL;;FOO', error: 'methods: unknown method "FOO"' },
    ]);
  });
});

describe('parseNetworkCondition', () => {
  it.each([
    ['office', { ok: true, value: { network: 'office', negated: false } }],
    ['!office', { ok: true, value: { network: 'office', negated: true } }],
    // Whether the configuration defines it is not asked: a rule for a lost network can be named.
    ['!overseas', { ok: true, value: { network: 'overseas', negated: true } }],
    ['!', { ok: false, message: 'empty; expected from=<network> or from=!<network>' }],
    ['!10.0.0.0/8', { ok: false, message: 'invalid network name "10.0.0.0/8"' }],
  ])('%s', (text, expected) => {
    expect(parseNetworkCondition(text)).toEqual(expected);
  });
});

describe('formatRuleError', () => {
  it.each([
    [{ field: 'methods' as const, message: 'unknown method "FOO"' }, 'methods: unknown method "FOO"'],
    [{ lineNumber: 3, field: 'allow' as const, message: 'x' }, 'line 3: allow: x'],
  ])('%j → %s', (error, expected) => {
    expect(formatRuleError(error)).toBe(expected);
  });
});
