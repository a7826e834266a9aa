import { describe, it, expect } from 'vitest';
import { decodeUnreserved, hasPathParameter, normalizePath, stripPathParameters } from './normalize-path.ts';

describe('normalizePath accepts and normalises', () => {
  it.each([
    ['/', '/'],
    ['/bk01/', '/bk01/'],
    ['/bk01', '/bk01'],
    ['/BK01/Admin/', '/BK01/Admin/'],
    ['/open/../secret/', '/secret/'],
    ['/open/%2e%2e/secret/', '/secret/'],
    ['/open/%2E%2e/secret/', '/secret/'],
    ['/open/.%2e/secret/', '/secret/'],
    ['/open/%2e./secret/', '/secret/'],
    ['//secret//x', '/secret/x'],
    ['//', '/'],
    ['/a/./b/', '/a/b/'],
    ['/a/%2e/b', '/a/b'],
    ['/%41BC/', '/ABC/'],
    ['/a%7Eb/%7e', '/a~b/~'],
    ['/a%2Db%5Fc', '/a-b_c'],
    ['/caf%c3%a9/', '/caf%C3%A9/'],
    ['/a%20b', '/a%20b'],
    ['/a/b/..', '/a/'],
    ['/a/b/.', '/a/b/'],
    ['/a/..', '/'],
    ['/a/b/../..', '/'],
    ['/a/b/../../c', '/c'],
    ['/.well-known/x', '/.well-known/x'],
    ['/a..b/x', '/a..b/x'],
    ['/%E7%B5%8C%E7%90%86/', '/%E7%B5%8C%E7%90%86/'],
    ['/%e7%b5%8c%e7%90%86/%ef%bd%b1', '/%E7%B5%8C%E7%90%86/%EF%BD%B1'],
    ['/a<b>/"q"', '/a%3Cb%3E/%22q%22'],
    ['/a`{b}', '/a%60%7Bb%7D'],
    ['/app/page;jsessionid=ABC', '/app/page;jsessionid=ABC'],
    ['/a%3bb/', '/a%3Bb/'],
    ['/100%25/', '/100%25/'],
    ['/%25zz', '/%25zz'],
  ])('%s → %s', (raw, expected) => {
    expect(normalizePath(raw)).toEqual({ ok: true, path: expected });
  });
});

describe('normalizePath refuses', () => {
  it.each([
    ['relative', 'must start'],
    ['', 'must start'],
    ['http://host/a', 'must start'],
    ['/a/%2fsecret', 'encoded slash'],
    ['/a/%2Fsecret', 'encoded slash'],
    ['/a%5csecret', 'encoded backslash'],
    ['/a%5Csecret', 'encoded backslash'],
    ['/a\\b', 'backslash'],
    ['/a%00b', 'encoded control'],
    ['/a\u0000b', 'control character'],
    ['/a\tb', 'control character'],
    ['/a\r\nb', 'control character'],
    ['/a\u007fb', 'control character'],
    ['/a%0d%0ab', 'encoded control'],
    ['/a b', 'raw space'],
    ['/caf\u00e9/', 'non-ASCII'],
    ['/open/..;/secret/', 'path parameter'],
    ['/open/.;/secret/', 'path parameter'],
    ['/open/.;foo/secret/', 'path parameter'],
    ['/open/;/../secret/', 'path parameter'],
    ['/open/%2e%2e;/secret/', 'path parameter'],
    ['/open/..%3b/secret/', 'path parameter'],
    ['/open/%2e%2e%3B/secret/', 'path parameter'],
    ['/%252e%252e/secret/', 'double'],
    ['/a%252fb', 'double'],
    ['/../x', 'above the root'],
    ['/a/../../x', 'above the root'],
    ['/%2e%2e/x', 'above the root'],
    ['/..', 'above the root'],
    ['/a%zz', 'malformed'],
    ['/a%', 'malformed'],
    ['/a%4', 'malformed'],
    ['/bk01/admin#x', 'raw "#"'],
    ['/bk01/#', 'raw "#"'],
    ['/_se%E2%84%AAisho/admin/', 'U+212A folds to ASCII'],
    ['/b%e2%84%aa01/admin/', 'U+212A folds to ASCII'],
    ['/%C5%BFecret/', 'U+017F folds to ASCII'],
    ['/adm%C4%B1n/', 'U+0131 folds to ASCII'],
    ['/%C4%B0/', 'U+0130 folds to ASCII'],
    ['/%EF%BC%A1dmin/', 'U+FF21 folds to ASCII'],
    ['/%EF%BC%8Fadmin/', 'U+FF0F folds to ASCII'],
    ['/%EF%AC%80/', 'U+FB00 folds to ASCII'],
    ['/a%C0%AF', 'not UTF-8'],
    ['/a%E0%80%AF', 'not UTF-8'],
    ['/a%E7%B5', 'not UTF-8'],
    ['/a%80', 'not UTF-8'],
    ['/a..b/...', 'starting or ending with ".."'],
    ['/bk01/..foo', 'starting or ending with ".."'],
    ['/bk01/foo../x', 'starting or ending with ".."'],
  ])('%j (%s)', (raw, reason) => {
    const result = normalizePath(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

describe('decodeUnreserved', () => {
  it.each([
    ['/a/%2e%2e/', '/a/../'],
    ['/%61%62/', '/ab/'],
    ['/%e3%81%82', '/%E3%81%82'],
    ['/plain/path', '/plain/path'],
  ])('%s → %s without resolving dot segments', (raw, expected) => {
    expect(decodeUnreserved(raw)).toEqual({ ok: true, text: expected });
  });
});

describe('path parameters', () => {
  it.each([
    ['/app/page', false, '/app/page'],
    ['/secret;x/page', true, '/secret/page'],
    ['/a;b/c;d=e', true, '/a/c'],
    ['/a%3Bb/c', true, '/a/c'],
  ])('%s has parameter %s, stripped %s', (path, has, stripped) => {
    expect(hasPathParameter(path)).toBe(has);
    expect(stripPathParameters(path)).toBe(stripped);
  });
});

describe('one path after another', () => {
  it('gives each path its own result, the same for the same path, and results cannot be changed', () => {
    const paths = ['/a/./b', '/a/%2Fb', '/a/./b', '/a//b/', '/a/%2Fb', '/%7Euser/'];
    const expected = [
      { ok: true, path: '/a/b' },
      { ok: false, reason: 'encoded slash' },
      { ok: true, path: '/a/b' },
      { ok: true, path: '/a/b/' },
      { ok: false, reason: 'encoded slash' },
      { ok: true, path: '/~user/' },
    ];
    expect(paths.map((p) => normalizePath(p))).toEqual(expected);
    const result = normalizePath('/a/./b') as { ok: true; path: string };
    expect(normalizePath('/a/./b')).toBe(result);
    expect(() => {
      result.path = '/admin/';
    }).toThrow(TypeError);
    expect(normalizePath('/a/./b')).toEqual({ ok: true, path: '/a/b' });
  });
});
