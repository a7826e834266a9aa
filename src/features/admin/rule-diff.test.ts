import { describe, expect, it } from 'vitest';
import type { RuleHistoryEntry } from '../../ports/rules.ts';
import { diffHistory, fieldChanges } from './rule-diff.ts';

let version = 100;
function entry(prefix: string, line: string | null, from: string | null = null): RuleHistoryEntry {
  version -= 1;
  return { version, host: null, prefix, from, line, changedBy: 'kanri', changedAt: new Date(0) };
}

describe('diffHistory', () => {
  it('pairs each change with the previous version of the same rule, and names the fields changed', () => {
    // Newest first, as the history page reads them.
    const changes = [
      entry('/bk01/', null),
      entry('/bk01/', '/bk01/=@keiri;taro;SMSOTP;reauth=15m'),
      entry('/bk01/', '/bk01/=@keiri;;SMSOTP', 'office'),
      entry('/bk02/', '/bk02/=ALL;;'),
      entry('/bk01/', '/bk01/=ALL;;SMSOTP'),
    ];
    const [deleted, edited, otherNetwork, created, first] = diffHistory(changes, [], true);
    expect(deleted).toEqual({
      before: '/bk01/=@keiri;taro;SMSOTP;reauth=15m',
      after: null,
      beforeKnown: true,
      fields: [
        { field: 'allow', before: '@keiri', after: '' },
        { field: 'deny', before: 'taro', after: '' },
        { field: 'methods', before: 'SMSOTP', after: '' },
        { field: 'options', before: 'reauth=15m', after: '' },
      ],
    });
    expect(edited?.before).toBe('/bk01/=ALL;;SMSOTP');
    expect(edited?.fields).toEqual([
      { field: 'allow', before: 'ALL', after: '@keiri' },
      { field: 'deny', before: '', after: 'taro' },
      { field: 'options', before: '', after: 'reauth=15m' },
    ]);
    // The office rule is another rule: it was created, not an edit of the rule for everyone.
    expect(otherNetwork).toMatchObject({ before: null, beforeKnown: true });
    expect(created).toMatchObject({ before: null, after: '/bk02/=ALL;;' });
    expect(first?.fields.map((f) => f.field)).toEqual(['allow', 'methods']);
  });

  it('looks further back than the page, and says when the version before was not read', () => {
    const shown = [entry('/bk03/', '/bk03/=ALL;;SMSOTP'), entry('/bk04/', '/bk04/=ALL;;')];
    const older = [entry('/bk03/', '/bk03/=ALL;;')];
    const [found, unknown] = diffHistory(shown, older, false);
    expect(found).toMatchObject({ before: '/bk03/=ALL;;', beforeKnown: true });
    expect(found?.fields).toEqual([{ field: 'methods', before: '', after: 'SMSOTP' }]);
    expect(unknown).toMatchObject({ before: null, beforeKnown: false });
  });
});

describe('fieldChanges', () => {
  it('finds nothing between equal lines', () => {
    expect(fieldChanges('/a/=ALL;;', '/a/=ALL;;')).toEqual([]);
  });
});
