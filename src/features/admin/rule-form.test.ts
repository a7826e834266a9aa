import { describe, expect, it } from 'vitest';
import { ruleOf, testCatalogue } from '../../../test/support/rule-builder.ts';
import { compileNetworks } from '../../domain/networks.ts';
import { parseRule } from '../../domain/rules/parse-rule.ts';
import { EMPTY_FORM, formOf } from './rule-form.ts';

const networks = compileNetworks({ office: ['10.20.0.0/16'] });

function withNetwork(line: string) {
  const parsed = parseRule(line, testCatalogue, networks);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.rule;
}

describe('formOf: a rule in force back in the edit form', () => {
  it('puts each field and each option in its own field', () => {
    const rule = withNetwork(
      'http://intra.example/pay/=@keiri,taro;@haken;SMSOTP,TOTP;from=!office,reauth=90s,newdevice=TOTP|SMSOTP',
    );
    expect(formOf(rule)).toEqual({
      ...EMPTY_FORM,
      prefix: 'http://intra.example/pay/',
      allow: '@keiri,taro',
      deny: '@haken',
      methods: 'SMSOTP,TOTP',
      from: '!office',
      reauth: '90s',
      newdevice: 'TOTP|SMSOTP',
      picked: ['SMSOTP', 'TOTP'],
      combine: 'all',
    });
  });

  it('writes the fields canonically, the age of proof in its largest whole unit', () => {
    const form = formOf(withNetwork('/bk01/=all;;push;reauth=120m'));
    expect(form).toMatchObject({ allow: 'ALL', deny: '', methods: 'MAMORU', from: '', reauth: '2h' });
  });

  it.each<[string, string[], 'all' | 'any']>([
    ['/a/=ALL;;SMSOTP', ['SMSOTP'], 'all'],
    ['/a/=ALL;;SMSOTP,TOTP', ['SMSOTP', 'TOTP'], 'all'],
    ['/a/=ALL;;SMSOTP|TOTP|MAMORU', ['SMSOTP', 'TOTP', 'MAMORU'], 'any'],
    // Nothing the picker can show: the typed field carries the methods alone.
    ['/a/=ALL;;SMSOTP,TOTP|MAMORU', [], 'all'],
    ['/a/=ALL;;BYPASS', [], 'all'],
    ['/a/=ALL;;', [], 'all'],
  ])('ticks the picker for %s', (line, picked, combine) => {
    expect(formOf(ruleOf(line))).toMatchObject({ picked, combine });
  });
});
