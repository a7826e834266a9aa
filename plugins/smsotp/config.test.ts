import { describe, expect, it } from 'vitest';
import { configureWithCore } from '../../test/fakes/core-host.ts';
import { gatewaySettings } from '../../test/fakes/gateway-settings.ts';
import smsOtpPlugin from './index.ts';
import { usableProviders } from './config.ts';
import { assertSmsTextFits, renderSmsText, smsHost, toDomesticMobile } from './sms-message.ts';
import { characterCount, MAX_SMS_CHARACTERS } from './providers/types.ts';
import { generateCode } from './start.ts';
import { normaliseAnswer } from './verify.ts';

const karaden = { tenantId: '2c4e2a4c-5d1f-4b3e-9b7a-0f6f1c2d3e4f', serviceId: 1, token: 't' };

describe('plugin identity and isEnabled', () => {
  it('is SMSOTP (alias SMS), after the password', () => {
    expect(smsOtpPlugin).toMatchObject({ name: 'SMSOTP', aliases: ['SMS'], passwordless: false });
  });

  it.each([
    ['no sms section (sandbox, not enabled)', false, {}],
    ['sandbox not enabled', false, { provider: 'sandbox' }],
    ['sandbox enabled', true, { provider: 'sandbox', sandbox: { enabled: true } }],
    ['karaden with credentials', true, { provider: 'karaden', karaden }],
    ['a failover list', true, { provider: ['karaden', 'sandbox'], sandbox: { enabled: true }, karaden }],
  ] as const)('%s → enabled: %s', (_label, enabled, sms) => {
    const configured = configureWithCore(smsOtpPlugin, { publicUrl: 'http://127.0.0.1:8080', sms });
    expect(configured).toMatchObject({ ok: true, plugins: [{ enabled }] });
  });

  // The core's schema is the one schema of `sms`: such a section never reaches the plugin.
  const required = 'required when sms.provider includes karaden';
  it.each([
    ['karaden without credentials', { provider: 'karaden' }, `config: sms.karaden.tenantId: ${required}`],
    [
      'karaden without token',
      { provider: 'karaden', karaden: { ...karaden, token: undefined } },
      `config: sms.karaden.token: ${required}`,
    ],
    [
      'a list naming karaden without its credentials',
      { provider: ['karaden', 'sandbox'], sandbox: { enabled: true } },
      `config: sms.karaden.serviceId: ${required}`,
    ],
    ['an unparseable section', { provider: 42 }, 'config: sms.provider: must be'],
  ] as const)('refuses %s at start-up, naming the key', (_label, sms, line) => {
    expect(() => configureWithCore(smsOtpPlugin, { sms })).toThrow(line);
  });

  it('keeps the failover order of the usable providers', () => {
    const sms = gatewaySettings({
      sms: { provider: ['sandbox', 'karaden'], sandbox: { enabled: true }, karaden },
    }).sms;
    expect(usableProviders(sms).map((p) => p.name)).toEqual(['sandbox', 'karaden']);
  });
});

describe('plugins.SMSOTP schema', () => {
  const parse = (value: unknown) => smsOtpPlugin.configSchema.safeParse(value);

  it('needs nothing and accepts templates with {code}', () => {
    expect(parse({}).data).toEqual({});
    expect(parse({ templates: { en: 'Code {code}' }, timeZone: 'Asia/Tokyo' }).success).toBe(true);
  });

  it.each([
    ['an unknown key', { sandbox: true }, []],
    ['a template without {code}', { templates: { ja: 'こんにちは' } }, ['templates', 'ja']],
    ['an unknown language', { templates: { fr: '{code}' } }, ['templates']],
    ['a bad time zone', { timeZone: 'Mars/Olympus' }, ['timeZone']],
    // Moved to sms.sandbox.page (off by default): docs/sms.md.
    ['the old sandboxPage', { sandboxPage: true }, []],
  ])('rejects %s', (_label, value, path) => {
    const result = parse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(path);
  });
});

describe('phone numbers', () => {
  it.each([
    ['+819012345678', '09012345678'],
    ['+818012345678', '08012345678'],
    ['+817012345678', '07012345678'],
    ['+81 90-1234-5678', '09012345678'],
    ['+81312345678', null],
    ['+816012345678', null],
    ['+8190123456789', null],
    ['+14155550100', null],
    ['09012345678', null],
  ])('%s → %s', (e164, domestic) => {
    expect(toDomesticMobile(e164)).toBe(domestic);
  });
});

describe('SMS text', () => {
  it('names the host with a port only when it is not the default', () => {
    expect(smsHost('http://127.0.0.1:8080')).toBe('127.0.0.1:8080');
    expect(smsHost('https://sso.example.jp:443')).toBe('sso.example.jp');
    expect(smsHost('http://sso.example.jp')).toBe('sso.example.jp');
  });

  it('rounds minutes down, never below one', () => {
    const text = (ttlSeconds: number) => renderSmsText({ locale: 'ja', code: '1234', ttlSeconds, host: 'h' });
    expect(text(599)).toContain('有効期限は9分です。');
    expect(text(30)).toContain('有効期限は1分です。');
  });

  it('fits the built-in phone-change text in one message with the longest code and any host name', () => {
    const host = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}:65535`;
    for (const locale of ['ja', 'en'] as const) {
      const body = renderSmsText({
        locale,
        purpose: 'phone-change',
        code: '00000000',
        ttlSeconds: 600,
        host,
      });
      expect(characterCount(body)).toBeLessThanOrEqual(MAX_SMS_CHARACTERS);
    }
  });

  it('refuses at start-up a template that cannot fit in 660 characters', () => {
    expect(() => assertSmsTextFits('h', 300, { ja: '{code}'.repeat(90) })).toThrow(/660/);
    expect(() => assertSmsTextFits('h', 300, { en: 'x'.repeat(500) + '{code}' })).not.toThrow();
  });
});

describe('codes and answers', () => {
  it('generates otp.length digits', () => {
    for (const length of [4, 6, 8]) {
      for (let i = 0; i < 50; i += 1) expect(generateCode(length)).toMatch(new RegExp(`^\\d{${length}}$`));
    }
  });

  it('normalises full-width digits and separators', () => {
    expect(normaliseAnswer(' １２３ ４５６ ')).toBe('123456');
    expect(normaliseAnswer('123-456')).toBe('123456');
    expect(normaliseAnswer(undefined)).toBe('');
  });
});
