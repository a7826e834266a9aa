import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackedGateway, type BackedGateway } from '../support/backed-gateway.ts';
import { FormClient } from '../support/browser-client.ts';
import { addUser, type TestGateway } from '../support/gateway.ts';

describe('password login through the gateway', () => {
  let gw: TestGateway;
  let backed: BackedGateway;
  let password: string;

  beforeAll(async () => {
    backed = await startBackedGateway({ backends: ['bk01'], rules: ['/bk01/=ALL;;'] });
    gw = backed.gw;
    password = await addUser(gw, 'taro', { groups: ['eigyo'] });
  });
  afterAll(async () => {
    await backed?.close();
  });

  it('sends a browser to the login page, then back to the app with its identity', async () => {
    const client = new FormClient(gw.url);
    const first = await client.get('/bk01/page?x=1');
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe('/_sekisho/login?next=%2Fbk01%2Fpage%3Fx%3D1');
    const login = await client.login('taro', password, '/bk01/page?x=1');
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/bk01/page?x=1');
    const app = await client.get('/bk01/page?x=1');
    expect(app.status).toBe(200);
    const seen = JSON.parse(app.body);
    expect(seen.url).toBe('/page?x=1');
    expect(seen.headers['x-remote-user']).toBe('taro');
    expect(seen.headers['x-remote-groups']).toBe('eigyo');
    expect(seen.headers['x-remote-auth-methods']).toBe('password');
    expect(seen.headers.cookie ?? '').not.toContain('sekisho');
  });

  it('counts logins, decisions and upstream latency in the Prometheus metrics', async () => {
    const client = new FormClient(gw.url);
    await client.login('taro', 'not the password', '/bk01/');
    await client.login('taro', password, '/bk01/');
    await client.get('/bk01/metrics-probe');
    const metrics = await client.get('/_sekisho/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/sekisho_logins_total\{method="password",outcome="success"\} [1-9]/);
    expect(metrics.body).toMatch(/sekisho_logins_total\{method="password",outcome="failure"\} [1-9]/);
    expect(metrics.body).toMatch(/sekisho_access_decisions_total\{decision="allow",rule="[^"]+"\} [1-9]/);
    expect(metrics.body).toMatch(/sekisho_upstream_seconds_count\{backend="bk01",status="200"\} [1-9]/);
  });
});
