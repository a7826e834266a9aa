import { describe, expect, it } from 'vitest';
import { passkeyConfigSchema } from './config.ts';

describe('plugins.PASSKEY', () => {
  it('defaults: on, any authenticator model, five-minute challenges', () => {
    expect(passkeyConfigSchema.parse({})).toEqual({
      enabled: true,
      rpName: 'Sekisho',
      challengeTtlSeconds: 300,
      allowedAaguids: [],
    });
  });

  it('keeps AAGUIDs in lower case and names the bad ones by position', () => {
    const good = passkeyConfigSchema.parse({ allowedAaguids: ['EE882879-721C-4913-9775-3DFCCE97072A'] });
    expect(good.allowedAaguids).toEqual(['ee882879-721c-4913-9775-3dfcce97072a']);
    const bad = passkeyConfigSchema.safeParse({ allowedAaguids: ['yubikey'], challengeTtlSeconds: 5 });
    expect(bad.success).toBe(false);
    const problems = bad.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(problems).toEqual([
      'challengeTtlSeconds: must be an integer from 30 to 600',
      'allowedAaguids.0: must be an AAGUID (8-4-4-4-12 hexadecimal digits)',
    ]);
  });
});
