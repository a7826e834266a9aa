import { describe, expect, it } from 'vitest';
import { testCatalogue } from '../../../test/support/rule-builder.ts';
import { parseStoredRules } from './parse-rule.ts';
import { withSharedParts } from './shared-parts.ts';

describe('withSharedParts', () => {
  it('gives equal rules, their equal principals, lists and method requirements held once', () => {
    const lines = [
      '/a/=@staff,@team1;@contractors;SMSOTP',
      '/b/=@staff,taro;@contractors;SMSOTP',
      '/c/=ALL;;',
    ];
    const { rules } = parseStoredRules(lines, testCatalogue);
    const shared = withSharedParts(rules);
    expect(shared).toEqual(rules);
    const [a, b, c] = shared as [(typeof shared)[0], (typeof shared)[0], (typeof shared)[0]];
    if (a.allow === 'all' || b.allow === 'all') throw new Error('parsed as ALL');
    expect(a.allow[0]).toBe(b.allow[0]);
    expect(a.allow).not.toBe(b.allow);
    expect(a.deny).toBe(b.deny);
    expect(a.methods).toBe(b.methods);
    expect(c.allow).toBe('all');
  });
});
