import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.ts';
import { checkWebPush } from './config-checks.ts';

describe('doctor: Web Push endpoints', () => {
  const withEndpoints = (allowedEndpoints: string[]) =>
    configSchema.parse({ publicUrl: 'https://gw.example.co.jp', push: { webPush: { allowedEndpoints } } });

  it('finds nothing in the default list of vendor push services', () => {
    expect(checkWebPush(configSchema.parse({ publicUrl: 'https://gw.example.co.jp' }))).toEqual([]);
  });

  it('flags an http:// endpoint, naming its place in the list', () => {
    const findings = checkWebPush(
      withEndpoints(['https://fcm.googleapis.com/', 'http://127.0.0.1:9999/push/']),
    );
    expect(findings.map((f) => [f.id, f.severity, f.subject])).toEqual([
      ['web-push-http-endpoint', 'high', 'push.webPush.allowedEndpoints.1'],
    ]);
  });
});
