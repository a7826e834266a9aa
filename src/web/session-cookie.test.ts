import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { cookieNames } from './session-cookie.ts';

function configFor(publicUrl: string, cookieName?: string): Config | string[] {
  const session = cookieName === undefined ? {} : { cookieName };
  const result = loadConfig({ env: {}, overrides: { secret: 'x'.repeat(32), publicUrl, session } });
  return result.ok ? result.config : result.errors;
}

function loaded(publicUrl: string): Config {
  const config = configFor(publicUrl);
  if (Array.isArray(config)) throw new Error(config.join('\n'));
  return config;
}

describe('the gateway cookie names', () => {
  it('over http: bare names; over https: __Host- on the site-wide ones, __Secure- on the way', () => {
    expect(cookieNames(loaded('http://gw.example.test'))).toEqual({
      session: 'sekisho_sid',
      csrf: 'sekisho_csrf',
      flow: 'sekisho_flow',
      lang: 'sekisho_lang',
      way: 'sekisho_way',
    });
    expect(cookieNames(loaded('https://gw.example.test'))).toEqual({
      session: '__Host-sekisho_sid',
      csrf: '__Host-sekisho_csrf',
      flow: '__Host-sekisho_flow',
      lang: '__Host-sekisho_lang',
      way: '__Secure-sekisho_way',
    });
  });

  it('the session cookie may take none of the others', () => {
    for (const publicUrl of ['http://gw.example.test', 'https://gw.example.test']) {
      const { session, ...others } = cookieNames(loaded(publicUrl));
      expect(session).toMatch(/sekisho_sid$/);
      for (const name of Object.values(others)) {
        expect(configFor(publicUrl, name), name).toEqual([
          expect.stringMatching(
            /^config: session\.cookieName: must not be one of the gateway's other cookies/,
          ),
        ]);
      }
    }
  });
});
