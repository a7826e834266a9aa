import { describe, expect, it } from 'vitest';
import { adminMessagesFor } from './messages.ts';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => keys(inner, prefix ? `${prefix}.${key}` : key));
}

describe('admin messages', () => {
  it('has the same keys in Japanese and English, none empty', () => {
    const ja = adminMessagesFor('ja');
    const en = adminMessagesFor('en');
    expect(keys(en).sort()).toEqual(keys(ja).sort());
    for (const messages of [ja, en]) {
      for (const key of keys(messages)) {
        const text = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], messages);
        expect(typeof text === 'string' && text.trim() !== '', key).toBe(true);
      }
    }
  });
});
