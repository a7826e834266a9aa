import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import webpush from 'web-push';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.ts';

function load(webPush: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  return loadConfig({ overrides: { push: { webPush } }, env });
}

describe('push.webPush config', () => {
  it('takes a VAPID key pair, and names the key when the halves do not match', () => {
    const pair = webpush.generateVAPIDKeys();
    const other = webpush.generateVAPIDKeys();
    const good = load({ vapidPublicKey: pair.publicKey, vapidPrivateKey: pair.privateKey });
    expect(good.ok).toBe(true);
    const bad = load({ vapidPublicKey: pair.publicKey, vapidPrivateKey: other.privateKey });
    expect(bad.ok ? [] : bad.errors).toEqual([
      'config: push.webPush.vapidPrivateKey: is not the private half of vapidPublicKey',
    ]);
    const half = load({ vapidPublicKey: pair.publicKey });
    expect(half.ok ? [] : half.errors).toEqual([
      'config: push.webPush.vapidPrivateKey: give both VAPID keys or neither',
    ]);
  });

  it('refuses an allowed endpoint that is not a plain URL prefix, naming its index', () => {
    const result = load({ allowedEndpoints: ['https://fcm.googleapis.com/', 'https://a.*.example/'] });
    expect(result.ok ? [] : result.errors).toEqual([
      'config: push.webPush.allowedEndpoints.1: may use * only as the whole first label of the host (https://*.example.com/)',
    ]);
  });

  it('takes HTTPS_PROXY as the proxy unless the file sets one', () => {
    const fromEnv = load({}, { HTTPS_PROXY: 'http://proxy.intra:3128' });
    expect(fromEnv.ok && fromEnv.config.push.webPush.proxy).toBe('http://proxy.intra:3128');
    const fromFile = load({ proxy: 'http://other:8080' }, { HTTPS_PROXY: 'http://proxy.intra:3128' });
    expect(fromFile.ok && fromFile.config.push.webPush.proxy).toBe('http://other:8080');
  });

  it('refuses a subject that is neither mailto: nor https:', () => {
    const result = load({ subject: 'http://example.jp' });
    expect(result.ok ? [] : result.errors).toEqual([
      'config: push.webPush.subject: must be a mailto: or https: URL',
    ]);
  });

  it('reads the VAPID keys from files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sekisho-vapid-'));
    try {
      const pair = webpush.generateVAPIDKeys();
      writeFileSync(join(dir, 'vapid.pub'), `${pair.publicKey}\n`);
      writeFileSync(join(dir, 'vapid.key'), `${pair.privateKey}\n`);
      const file = join(dir, 'sekisho.yaml');
      writeFileSync(
        file,
        'push:\n  webPush:\n    vapidPublicKeyFile: vapid.pub\n    vapidPrivateKeyFile: vapid.key\n',
      );
      const result = loadConfig({ file, env: {} });
      expect(result.ok && result.config.push.webPush.vapidPrivateKey).toBe(pair.privateKey);
      expect(result.ok && result.config.push.webPush.vapidPublicKey).toBe(pair.publicKey);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
