import { describe, expect, it } from 'vitest';
import { ruleOf, testCatalogue } from '../../../test/support/rule-builder.ts';
import { compileNetworks } from '../../domain/networks.ts';
import { parseRule } from '../../domain/rules/parse-rule.ts';
import { adminMessagesFor } from './messages.ts';
import { methodWord, summarizeRule } from './rule-summary.ts';

const ja = adminMessagesFor('ja');
const en = adminMessagesFor('en');
const networks = compileNetworks({ office: ['10.20.0.0/16'] });

function withNetwork(line: string) {
  const parsed = parseRule(line, testCatalogue, networks);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.rule;
}

describe('summarizeRule', () => {
  it.each<[string, string, string]>([
    [
      '/bk01/=@keiri;;SMSOTP',
      '/bk01/ は @keiri グループのみ、パスワード＋SMS認証',
      '/bk01/: only group @keiri; password + SMS code',
    ],
    [
      '/bk02/=@keiri,taro;@haken;SMSOTP,TOTP',
      '/bk02/ は @keiri グループ・ユーザー「taro」のみ(@haken グループを除く)、パスワード＋SMS認証＋認証アプリ',
      '/bk02/: only group @keiri, user taro (except group @haken); password + SMS code + authenticator app',
    ],
    // A passwordless method replaces the password on its way through.
    [
      '/bk03/=ALL;;SMSOTP|MAMORU',
      '/bk03/ は すべてのユーザー、パスワード＋SMS認証 または プッシュ承認',
      '/bk03/: everyone; password + SMS code or push approval',
    ],
    ['/bk04/=ALL;;', '/bk04/ は すべてのユーザー、パスワード', '/bk04/: everyone; password'],
    [
      'http://intra.example/bk05/=ALL;;BYPASS',
      'intra.example/bk05/ は すべてのユーザー、認証なしで公開',
      'intra.example/bk05/: everyone; public, no login',
    ],
  ])('%s', (line, japanese, english) => {
    expect(summarizeRule(ruleOf(line), testCatalogue, ja)).toBe(japanese);
    expect(summarizeRule(ruleOf(line), testCatalogue, en)).toBe(english);
  });

  it('adds the options: the network, the age of proof, the new environment', () => {
    const rule = withNetwork('/pay/=@keiri;;SMSOTP;from=!office,reauth=90s,newdevice=TOTP|SMSOTP');
    expect(summarizeRule(rule, testCatalogue, ja)).toBe(
      '/pay/ は @keiri グループのみ、パスワード＋SMS認証。ネットワーク office 以外からの接続に適用。90秒ごとに認証し直し。新しい環境からは 認証アプリ または SMS認証 も必要',
    );
    expect(summarizeRule(withNetwork('/pay/=ALL;;;from=office,reauth=8h'), testCatalogue, en)).toBe(
      '/pay/: everyone; password. Applies to clients in network office. Proven again every 8 h',
    );
  });
});

describe('methodWord', () => {
  it("names a method in the page's language, and one without a word as named", () => {
    expect([methodWord('SMSOTP', ja), methodWord('SMSOTP', en)]).toEqual(['SMS認証', 'SMS code']);
    // Only the catalogue's own words: never something of Object.prototype.
    expect([methodWord('FIDO9', en), methodWord('constructor', en), methodWord('toString', ja)]).toEqual([
      'FIDO9',
      'constructor',
      'toString',
    ]);
  });
});
