import { describe, expect, it } from 'vitest';
import { ruleOf } from '../../../test/support/rule-builder.ts';
import {
  describeUnknown,
  editDistance,
  findUnknownPrincipals,
  namedPrincipals,
  suggestPrincipal,
} from './principal-check.ts';

const known = {
  users: ['taro', 'hanako', 'suzuki.ichiro'],
  groups: ['admins', 'keiri', 'eigyo-honbu'],
};

describe('findUnknownPrincipals', () => {
  it('finds nothing when every entry is known, nor in ALL', () => {
    expect(findUnknownPrincipals(ruleOf('/bk01/=@keiri,taro;hanako;'), known)).toEqual([]);
    expect(findUnknownPrincipals(ruleOf('/bk01/=ALL;@admins;'), known)).toEqual([]);
  });

  it.each<[string, string, string, string | null]>([
    ['a group one letter short', '/bk01/=@admin;;', '@admin', '@admins'],
    ['a group written without @', '/bk01/=keiri;;', 'keiri', '@keiri'],
    ['a user written with @', '/bk01/=@taro;;', '@taro', 'taro'],
    ['a user in the wrong case', '/bk01/=Hanako;;', 'Hanako', 'hanako'],
    ['a group in the wrong case', '/bk01/=@Keiri;;', '@Keiri', '@keiri'],
    ['a long group two edits away', '/bk01/=@eigyo-honb;;', '@eigyo-honb', '@eigyo-honbu'],
    ['a user one letter off', '/bk01/=tar0;;', 'tar0', 'taro'],
    ['a name like nothing known', '/bk01/=@somebody-else;;', '@somebody-else', null],
    ['a short name two edits away', '/bk01/=@adm;;', '@adm', null],
  ])('flags %s, with the likely meaning', (_, line, written, suggestion) => {
    expect(findUnknownPrincipals(ruleOf(line), known)).toEqual([{ field: 'allow', written, suggestion }]);
  });

  it('checks the deny field as well, naming it', () => {
    expect(findUnknownPrincipals(ruleOf('/bk01/=@keiri;jiro,@admns;'), known)).toEqual([
      { field: 'deny', written: 'jiro', suggestion: null },
      { field: 'deny', written: '@admns', suggestion: '@admins' },
    ]);
  });

  it('lists the named principals of both fields for the lookup', () => {
    expect(namedPrincipals(ruleOf('/bk01/=@keiri,taro;jiro;'))).toEqual([
      { kind: 'group', name: 'keiri' },
      { kind: 'user', id: 'taro' },
      { kind: 'user', id: 'jiro' },
    ]);
    expect(namedPrincipals(ruleOf('/bk01/=ALL;;'))).toEqual([]);
  });
});

describe('suggestPrincipal', () => {
  it('prefers the other kind of the same name over a near name of the same kind', () => {
    // "keiri" is a group; a user "keiry" is one edit away, but the missing @ is the likelier slip.
    const withNearUser = { users: ['keiry'], groups: ['keiri'] };
    expect(suggestPrincipal({ kind: 'user', id: 'keiri' }, withNearUser)).toBe('@keiri');
  });

  it('picks the nearest of several candidates', () => {
    expect(suggestPrincipal({ kind: 'group', name: 'keir' }, { users: [], groups: ['kei', 'keiri'] })).toBe(
      '@kei',
    );
  });
});

describe('editDistance', () => {
  it.each<[string, string, number]>([
    ['', '', 0],
    ['admin', 'admins', 1],
    ['kitten', 'sitting', 3],
    ['abc', 'acb', 2],
  ])('%s → %s is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });

  it('gives up past the limit', () => {
    expect(editDistance('aaaaaaaa', 'bbbbbbbb', 2)).toBe(3);
    expect(editDistance('a', 'abcdef', 2)).toBe(3);
  });
});

describe('describeUnknown', () => {
  it('names the kind and the suggestion', () => {
    expect(describeUnknown({ field: 'allow', written: '@admin', suggestion: '@admins' })).toBe(
      'no group "@admin" (did you mean "@admins"?)',
    );
    expect(describeUnknown({ field: 'deny', written: 'jiro', suggestion: null })).toBe('no user "jiro"');
  });
});
