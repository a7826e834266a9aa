import { describe, expect, it } from 'vitest';
import { compileNetworks } from '../domain/networks.ts';
import { testCatalogue } from '../../test/support/rule-builder.ts';
import { brokenRuleFinding, checkStoredRules } from './stored-rule-checks.ts';

const office = compileNetworks({ office: ['10.20.0.0/16'] });

describe('doctor: stored rules the gateway could not load', () => {
  it('names a network the configuration lacks apart from a rule that does not parse, each high', () => {
    const lines = [
      '/bk01/=ALL;;',
      '/bk02/=ALL;;;from=!lab',
      '/bk03/=ALL;;FOO',
      '/bk04/=ALL;;SMSOTP;from=office',
    ];
    expect(
      checkStoredRules(lines, testCatalogue, office).map((f) => `${f.severity}:${f.id}:${f.subject}`),
    ).toEqual([
      'high:rule-unknown-network:rule "/bk02/=ALL;;;from=!lab": from: unknown network "lab" (known: office)',
      'high:rule-invalid:rule "/bk03/=ALL;;FOO": methods: unknown method "FOO"',
    ]);
    expect(checkStoredRules(lines.slice(3), testCatalogue, office)).toEqual([]);
  });

  it("goes by the parser's code, not by the words of the error", () => {
    // The words of an unknown network, but not its code: a rule the parser refused for another cause.
    const worded = { line: '/x/=ALL;;', error: 'from: unknown network "lab" (no networks are configured)' };
    expect(brokenRuleFinding(worded).id).toBe('rule-invalid');
    expect(brokenRuleFinding({ ...worded, error: 'from: lab', code: 'unknown-network' }).id).toBe(
      'rule-unknown-network',
    );
  });
});
