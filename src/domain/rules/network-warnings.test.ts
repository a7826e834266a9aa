import { describe, expect, it } from 'vitest';
import { compileNetworks } from '../networks.ts';
import { parseRule } from './parse-rule.ts';
import { findRuleWarnings } from './rule-warnings.ts';
import { testCatalogue } from '../../../test/support/rule-builder.ts';

const networks = compileNetworks({ intranet: ['10.0.0.0/8'] });
const paths = { own: '/_sekisho/', console: '/_sekisho/admin/' };

function warnings(...lines: string[]) {
  const rules = lines.map((line) => {
    const parsed = parseRule(line, testCatalogue, networks);
    if (!parsed.ok) throw new Error(line);
    return parsed.rule;
  });
  return findRuleWarnings(rules, { catalogue: testCatalogue, paths }).map(
    (w) =>
      `${w.code}:${w.rule}${w.related ? ` <- ${w.related}` : ''}${w.aspects.length ? ` (${w.aspects.join(',')})` : ''}`,
  );
}

describe('the console warnings for rules by network', () => {
  it('asking less outside than inside is a warning naming both rules and what is relaxed', () => {
    expect(warnings('/bk01/=ALL;;SMSOTP;from=intranet', '/bk01/=ALL;;')).toEqual([
      'weaker-outside:/bk01/=ALL;; <- /bk01/=ALL;;SMSOTP;from=intranet (methods)',
    ]);
  });

  it('the usual way round (more outside) has no warning', () => {
    expect(warnings('/bk01/=ALL;;;from=intranet', '/bk01/=ALL;;SMSOTP')).toEqual([]);
  });

  it('a prefix whose rules all carry from= says other clients are refused there', () => {
    expect(warnings('/bk01/=ALL;;SMSOTP', '/bk01/hr/=@hr;;;from=intranet')).toEqual([
      'network-only:/bk01/hr/=@hr;;;from=intranet',
    ]);
  });
});
