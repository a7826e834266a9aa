import { describe, expect, it } from 'vitest';
import { catalogueProblems, fill, placeholders } from './catalogue.ts';

describe('fill', () => {
  it('fills placeholders and leaves unknown ones', () => {
    expect(fill('For {user} ({other})', { user: 'taro' })).toBe('For taro ({other})');
  });

  it('fills every occurrence, numbers and camelCase names included', () => {
    expect(fill('{code} {attemptsLeft} {code}', { code: '0123', attemptsLeft: 2 })).toBe('0123 2 0123');
  });

  it('takes values literally and never from the prototype', () => {
    expect(fill('{a} {constructor} {toString}', { a: '$& $1' })).toBe('$& $1 {constructor} {toString}');
  });
});

describe('catalogueProblems', () => {
  it('finds nothing wrong in a consistent catalogue', () => {
    const ja = { a: '{n} 件', group: { b: 'は' } };
    expect(catalogueProblems({ ja, en: { a: '{n} items', group: { b: 'is' } } })).toEqual([]);
    expect(placeholders('{b} {a} {b}')).toEqual(['a', 'b']);
  });

  it('names each missing or extra key, empty string and differing placeholder', () => {
    const ja = { a: '{n} 件', b: 'は', group: { c: '{x}' } };
    const en = { a: '{count} items', b: ' ', group: { c: 'x', d: 'extra' } };
    expect(catalogueProblems({ ja, en })).toEqual([
      'en.a: placeholders {count}, ja has {n}',
      'en.b: empty',
      'en.group.c: placeholders none, ja has {x}',
      'en.group.d: not in ja',
    ]);
    expect(catalogueProblems({ ja, en: { b: 'is', group: { c: '{x}' } } })).toEqual(['en.a: missing']);
  });
});
