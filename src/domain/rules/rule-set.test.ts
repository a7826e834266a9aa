import { describe, it, expect } from 'vitest';
import { compileRuleSet } from './rule-set.ts';
import { ruleOf, ruleSetOf } from '../../../test/support/rule-builder.ts';

const prefixOnly = ruleSetOf(
  '/=ALL;;',
  '/bk01/=ALL;;SMSOTP',
  '/bk01/admin/=@admins;;SMSOTP',
  '/bk01/admin/logs/=@auditors;;TOTP',
  '/public/=ALL;;BYPASS',
);

describe('match: longest prefix wins', () => {
  it.each([
    ['/', '/=ALL;;'],
    ['/other', '/=ALL;;'],
    ['/bk01/', '/bk01/=ALL;;SMSOTP'],
    ['/bk01', '/bk01/=ALL;;SMSOTP'],
    ['/bk01/page', '/bk01/=ALL;;SMSOTP'],
    ['/bk01/x/y/z', '/bk01/=ALL;;SMSOTP'],
    ['/bk01x', '/=ALL;;'],
    ['/bk01x/', '/=ALL;;'],
    ['/bk01/admin', '/bk01/admin/=@admins;;SMSOTP'],
    ['/bk01/admin/', '/bk01/admin/=@admins;;SMSOTP'],
    ['/bk01/administrator', '/bk01/=ALL;;SMSOTP'],
    ['/bk01/admin/logs/2024/', '/bk01/admin/logs/=@auditors;;TOTP'],
    ['/BK01/Admin/', '/bk01/admin/=@admins;;SMSOTP'],
    ['/Bk01/ADMIN/LOGS', '/bk01/admin/logs/=@auditors;;TOTP'],
    ['/public/css/a.css', '/public/=ALL;;BYPASS'],
  ])('%s → %s', (path, line) => {
    expect(prefixOnly.match(null, path)?.line).toBe(line);
    expect(prefixOnly.match('any.host', path)?.line).toBe(line);
  });
});

describe('match: paths deeper than any rule', () => {
  // The search starts at the deepest level a rule has; these cross that level in every way.
  const shallow = ruleSetOf('/bk01/=ALL;;', '/bk01/admin/=@admins;;SMSOTP');
  it.each<[string, string | null]>([
    ['/bk01/admin/logs/2024/12/report.html', '/bk01/admin/=@admins;;SMSOTP'],
    ['/bk01/admin/logs', '/bk01/admin/=@admins;;SMSOTP'],
    ['/bk01/admin', '/bk01/admin/=@admins;;SMSOTP'],
    ['/bk01/adminx/a/b/c', '/bk01/=ALL;;'],
    ['/bk01/a/b/c/d/e/f/g', '/bk01/=ALL;;'],
    ['/bk01', '/bk01/=ALL;;'],
    ['/bk02/admin/logs/x', null],
    ['/', null],
  ])('%s → %s', (path, line) => {
    expect(shallow.match(null, path)?.line ?? null).toBe(line);
  });

  it('the root rule alone still matches every depth', () => {
    const root = ruleSetOf('/=ALL;;BYPASS');
    for (const path of ['/', '/a', '/a/', '/a/b/c/d.html', '/A/B/'])
      expect(root.match(null, path)?.line, path).toBe('/=ALL;;BYPASS');
  });

  it('finds what looking at every level of the path finds', () => {
    const lines = ['/=ALL;;', '/a/=ALL;;', '/a/b/c/=ALL;;SMSOTP', '/b/c/=ALL;;TOTP', '/a/b/c/d/e/=@x;;'];
    const set = ruleSetOf(...lines);
    const prefixes = lines.map((line) => line.slice(0, line.indexOf('=')));
    // Every prefix of the path that ends at a `/` (the path itself as a directory too), longest first.
    const byEveryLevel = (path: string): string | null => {
      const lower = path.toLowerCase();
      const target = lower.endsWith('/') ? lower : `${lower}/`;
      const found = prefixes.filter((prefix) => target.startsWith(prefix));
      const longest = found.sort((x, y) => y.length - x.length)[0];
      return longest === undefined ? null : (lines[prefixes.indexOf(longest)] ?? null);
    };
    const segments = ['a', 'b', 'c', 'd', 'e', 'f', 'B'];
    const paths: string[] = ['/'];
    for (let depth = 1; depth <= 6; depth++) {
      for (let i = 0; i < 40; i++) {
        const parts = Array.from(
          { length: depth },
          (_, k) => segments[(i * 7 + k * 3 + depth) % segments.length],
        );
        paths.push(`/${parts.join('/')}`, `/${parts.join('/')}/`);
      }
    }
    for (const path of paths) expect(set.match(null, path)?.line ?? null, path).toBe(byEveryLevel(path));
  });
});

describe('match: default deny', () => {
  const set = ruleSetOf('/bk01/=ALL;;SMSOTP', '/bk01/admin/=@admins;;');
  it.each(['/', '/bk0', '/bk', '/bk02/', '/admin/', '/bk01x'])('%s → null', (path) => {
    expect(set.match(null, path)).toBeNull();
  });

  it('an empty rule set matches nothing', () => {
    expect(compileRuleSet([]).match('h', '/')).toBeNull();
  });
});

describe('match: host rules', () => {
  const set = ruleSetOf(
    '/bk01/=ALL;;',
    'http://intra.example.com/bk01/=ALL;;SMSOTP',
    'https://intra.example.com:8443/bk01/=ALL;;TOTP',
    'http://other.example.com/=ALL;;MAMORU',
    'http://[::1]/v6/=ALL;;TOTP',
  );
  it.each<[string | null, string, string | null]>([
    [null, '/bk01/x', '/bk01/=ALL;;'],
    ['intra.example.com', '/bk01/x', 'http://intra.example.com/bk01/=ALL;;SMSOTP'],
    ['INTRA.Example.com', '/bk01/x', 'http://intra.example.com/bk01/=ALL;;SMSOTP'],
    ['intra.example.com:80', '/bk01/x', 'http://intra.example.com/bk01/=ALL;;SMSOTP'],
    ['intra.example.com:8443', '/bk01/x', 'https://intra.example.com:8443/bk01/=ALL;;TOTP'],
    ['elsewhere.example.com', '/bk01/x', '/bk01/=ALL;;'],
    ['example.com', '/bk01/x', '/bk01/=ALL;;'],
    ['intra.example.com', '/bk02/', null],
    ['other.example.com', '/bk01/x', '/bk01/=ALL;;'],
    ['other.example.com', '/bk02/', 'http://other.example.com/=ALL;;MAMORU'],
    ['other.example.com:8080', '/', 'http://other.example.com/=ALL;;MAMORU'],
    ['intra.example.com', '/', null],
    [null, '/', null],
    ['[::1]:8080', '/v6/', 'http://[::1]/v6/=ALL;;TOTP'],
    ['[::1]', '/v6/', 'http://[::1]/v6/=ALL;;TOTP'],
  ])('host %s path %s → %s', (host, path, line) => {
    expect(set.match(host, path)?.line ?? null).toBe(line);
  });
});

describe('rules are kept in evaluation order', () => {
  it('longest prefix first, host rules first on ties', () => {
    const set = ruleSetOf(
      '/=ALL;;',
      '/a/=ALL;;',
      'http://h/a/=ALL;;',
      '/a/bc/=ALL;;',
      '/b/=ALL;;',
      'http://g/a/=ALL;;',
    );
    expect(set.rules.map((r) => r.line)).toEqual([
      '/a/bc/=ALL;;',
      'http://g/a/=ALL;;',
      'http://h/a/=ALL;;',
      '/a/=ALL;;',
      '/b/=ALL;;',
      '/=ALL;;',
    ]);
  });

  it('the first of two rules for the same host and prefix wins', () => {
    const first = ruleOf('/a/=ALL;;');
    const set = compileRuleSet([first, ruleOf('/A/=ALL;;TOTP')]);
    expect(set.match(null, '/a/')).toBe(first);
  });
});

describe('the Host of one request after another', () => {
  it('is judged afresh for each request, whatever the request before sent', () => {
    const set = ruleSetOf(
      '/a/=ALL;;',
      'http://intra.example/a/=ALL;;TOTP',
      'http://other.example:8443/a/=ALL;;SMSOTP',
    );
    const hosts: Array<[string | null, string]> = [
      ['Intra.Example.', 'http://intra.example/a/=ALL;;TOTP'],
      ['other.example:8443', 'http://other.example:8443/a/=ALL;;SMSOTP'],
      ['other.example', '/a/=ALL;;'],
      [null, '/a/=ALL;;'],
      ['intra.example:80', 'http://intra.example/a/=ALL;;TOTP'],
      ['Intra.Example.', 'http://intra.example/a/=ALL;;TOTP'],
      ['evil.example', '/a/=ALL;;'],
    ];
    for (const [host, line] of [...hosts, ...hosts.reverse()])
      expect(set.match(host, '/a/x')?.line, String(host)).toBe(line);
  });
});
