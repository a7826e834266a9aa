import { describe, expect, it } from 'vitest';
import { testCatalogue } from '../../../test/support/rule-builder.ts';
import { compileNetworks } from '../../domain/networks.ts';
import { parseRule } from '../../domain/rules/parse-rule.ts';
import { adminMessagesFor } from './messages.ts';
import { localiseRuleError } from './rule-errors.ts';

const ja = adminMessagesFor('ja');
const en = adminMessagesFor('en');
const networks = compileNetworks({ office: ['10.20.0.0/16'] });

/** The parser's own message for a bad line, as the console receives it. */
function parserMessage(line: string): string {
  const parsed = parseRule(line, testCatalogue, networks);
  if (parsed.ok) throw new Error(`${line} parsed`);
  return parsed.message;
}

describe('localiseRuleError', () => {
  it.each<[string, string]>([
    ['/a/=;;', '空にはできません。全員を許可するには ALL と書きます。'],
    ['/a/=ALL;;FOO', '認証方式「FOO」はこのゲートウェイにありません。'],
    ['/a/=ALL;;SMSOTP,SMSOTP', '認証方式 "SMSOTP" が重複しています。'],
    ['/a/=ALL;;BYPASS,SMSOTP', 'BYPASS はほかの認証方式と組み合わせられません。'],
    ['/a/=ALL;;PASSWORD', 'パスワードは常に求められるため書きません(パスワードのみなら空にします)。'],
    ['/a/=ALL;;SMSOTP,,TOTP', '認証方式の名前が空です(「,,」「||」や余分な区切りを確認してください)。'],
    ['/a/=@ke iri;;', 'グループ名「@ke iri」は使えません(英数字と . _ - のみ)。'],
    ['/a/=ta ro;;', 'ユーザーID「ta ro」は使えません。'],
    ['/a/=taro,taro;;', '「taro」が重複しています。'],
    ['/a/=ALL,taro;;', 'ALL はほかの指定と組み合わせられません。'],
    ['/a/=taro,,jiro;;', '空の項目があります(「,,」や余分な「,」を確認してください)。'],
    ['/a/=ALL;;;from=overseas', 'ネットワーク「overseas」は設定にありません(known: office)。'],
    [
      '/a/=ALL;;SMSOTP;reauth=15x',
      '「15x」は時間として読めません。秒・分・時間の整数で書きます(90s、15m、8h)。',
    ],
    ['/a/=ALL;;SMSOTP;reauth=0s', '「0s」は短すぎます。最短は 1s です。'],
    ['/a=ALL;;', '「/a」は「/」で終わる必要があります。'],
    ['a/=ALL;;', '「a/」は「/」で始まる絶対パスにします。'],
  ])('puts the parser’s error for %s in Japanese', (line, japanese) => {
    const message = parserMessage(line);
    expect(localiseRuleError(message, ja)).toBe(japanese);
    // In English the console says what the parser says.
    expect(localiseRuleError(message, en)).toBe(message);
  });

  it('leaves a message it has no words for as the parser wrote it', () => {
    expect(localiseRuleError('something new', ja)).toBe('something new');
  });
});
