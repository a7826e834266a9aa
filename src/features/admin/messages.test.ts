import { describe, expect, it } from 'vitest';
import { catalogueProblems } from '../../web/i18n/catalogue.ts';
import { eventLabel } from './event-names.ts';
import { adminCatalogue, adminMessagesFor } from './messages.ts';

describe('admin messages', () => {
  it('has the same keys and placeholders in Japanese and English, none empty', () => {
    expect(catalogueProblems(adminCatalogue)).toEqual([]);
  });
});

describe('eventLabel', () => {
  const ja = adminMessagesFor('ja');
  const en = adminMessagesFor('en');

  it('names the events the console knows, in the page language', () => {
    expect(eventLabel('rule.set', ja)).toBe('ルールの保存');
    expect(eventLabel('rule.set', en)).toBe('Rule saved');
    expect(eventLabel('push.activation_created', ja)).toBe('プッシュ端末の登録用 QR コードの発行');
  });

  it("names a method's own events by the method's word and the event's", () => {
    expect(eventLabel('SMSOTP.send', ja)).toBe('SMS認証: コード送信');
    expect(eventLabel('TOTP.check', en)).toBe('authenticator app: code checked');
    // A method the console has no word for keeps its name.
    expect(eventLabel('ACME.check', en)).toBe('ACME: code checked');
  });

  it('leaves events it has no words for unnamed, for the page to show as recorded', () => {
    expect(eventLabel('loginx.other', ja)).toBeNull();
    expect(eventLabel('SMSOTP.something_new', ja)).toBeNull();
    expect(eventLabel('constructor', ja)).toBeNull();
    expect(eventLabel('rule.constructor', ja)).toBeNull();
  });
});
