import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/ports/clock.ts';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { FormClient } from '../support/browser-client.ts';
import { runSekisho } from '../support/cli.ts';
import { databaseUrl } from '../support/env.ts';
import {
  addUser,
  setRules,
  startGateway,
  testConfig,
  testSecret,
  type TestGateway,
} from '../support/gateway.ts';
import { fetchJwks, verifyEs256 } from '../support/jwt-verify.ts';
import { rawRequest } from '../support/raw-http.ts';

/**
 * The signed identity assertion on proxied requests: ES256 with a kid, the claims, verified by
 * node:crypto against the JWKS (not by jose, which signs), the same keys on two instances (one per
 * carrier), inbound copies stripped, tokens reused within half their lifetime, and `keys rotate`.
 */
describe('the signed identity assertion', () => {
  const clock = new FakeClock(Date.UTC(2026, 11, 3, 9, 0, 0));
  let backend: FakeBackend;
  let lean: TestGateway;
  let fastify: TestGateway;
  const cookies = new Map<TestGateway, string>();

  beforeAll(async () => {
    backend = await startBackend();
    const backends = { bk01: { url: backend.url } };
    lean = await startGateway({ clock, config: { backends, proxy: { leanPath: true } } });
    fastify = await startGateway({
      clock,
      sharedWith: lean,
      config: { backends, proxy: { leanPath: false } },
    });
    await setRules(lean, '/bk01/=ALL;;', '/bk01/open/=ALL;;BYPASS');
    const password = await addUser(lean, 'taro', { groups: ['keiri', 'soumu'] });
    for (const gw of [lean, fastify]) {
      await gw.runtime.watcher.poll();
      const client = new FormClient(gw.url);
      expect((await client.login('taro', password, '/bk01/')).status).toBe(303);
      cookies.set(gw, client.cookieHeader());
    }
  });
  afterAll(async () => {
    await fastify?.close();
    await lean?.close();
    await backend?.close();
  });

  /** The assertion the backend received for one request through `gw`. */
  async function assertionThrough(gw: TestGateway, path = '/bk01/x', headers: [string, string][] = []) {
    const before = backend.seen.length;
    const response = await rawRequest(gw.url, 'GET', path, [
      ['Cookie', cookies.get(gw) ?? ''],
      ['Accept', 'application/json'],
      ...headers,
    ]);
    expect(response.status).toBe(200);
    const seen = backend.seen[before];
    if (!seen) throw new Error('the request did not reach the backend');
    return seen.headers['x-remote-assertion'];
  }

  it('carries who the user is, signed with a published key, on both carriers', async () => {
    const jwks = await fetchJwks(lean.url);
    expect(jwks.cacheControl).toContain('max-age=300');
    expect(jwks.keys).toHaveLength(1);
    for (const gw of [lean, fastify]) {
      const token = await assertionThrough(gw);
      expect(typeof token).toBe('string');
      const { header, claims } = verifyEs256(String(token), jwks.keys, clock.now());
      expect(header).toMatchObject({ alg: 'ES256', kid: jwks.keys[0]?.kid });
      expect(claims).toMatchObject({
        iss: 'http://127.0.0.1:8080',
        aud: 'bk01',
        sub: 'taro',
        groups: ['keiri', 'soumu'],
        amr: ['pwd', 'password'],
      });
      expect(Number(claims.exp) - Number(claims.iat)).toBe(60);
      expect(Number(claims.iat)).toBe(Math.floor(clock.now() / 1000));
    }
    // The other instance publishes the same key (kept in Postgres, made once).
    expect((await fetchJwks(fastify.url)).keys).toEqual(jwks.keys);
  });

  it("strips a client's assertion in any spelling; BYPASS paths carry none", async () => {
    const jwks = await fetchJwks(lean.url);
    for (const gw of [lean, fastify]) {
      const forged = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.';
      const token = await assertionThrough(gw, '/bk01/x', [
        ['X-Remote-Assertion', forged],
        ['x_remote_assertion', forged],
      ]);
      expect(verifyEs256(String(token), jwks.keys, clock.now()).claims.sub).toBe('taro');
      const before = backend.seen.length;
      await rawRequest(gw.url, 'GET', '/bk01/open/page', [['X-Remote-Assertion', forged]]);
      const seen = backend.seen[before];
      expect(seen?.url).toBe('/open/page');
      expect(seen?.rawHeaders.map((h) => h.toLowerCase())).not.toContain('x-remote-assertion');
      expect(seen?.rawHeaders.map((h) => h.toLowerCase())).not.toContain('x_remote_assertion');
    }
  });

  it('is signed once per identity and audience, and again in the background before half its lifetime', async () => {
    const first = await assertionThrough(lean);
    clock.advance(14_000);
    expect(await assertionThrough(lean)).toBe(first);
    await lean.runtime.gateway.assertions?.signed();
    expect(await assertionThrough(lean)).toBe(first);
    // In its renewal window whatever its spread (a quarter to half the lifetime): the request
    // takes the held token while its successor is signed.
    clock.advance(15_999);
    expect(await assertionThrough(lean)).toBe(first);
    await lean.runtime.gateway.assertions?.signed();
    const next = await assertionThrough(lean);
    expect(next).not.toBe(first);
    const jwks = await fetchJwks(lean.url);
    expect(verifyEs256(String(next), jwks.keys, clock.now()).claims.iat).toBe(Math.floor(clock.now() / 1000));
    clock.advance(2_000);
    expect(await assertionThrough(lean)).toBe(next);
  });

  it('after `sekisho keys rotate`, signs with the new key and still publishes the old one', async () => {
    const before = await fetchJwks(lean.url);
    const oldToken = String(await assertionThrough(fastify));
    const dir = mkdtempSync(join(tmpdir(), 'sekisho-keys-'));
    const file = join(dir, 'sekisho.yaml');
    writeFileSync(
      file,
      `database: { url: "${databaseUrl}", schema: ${lean.config.database.schema} }\nsecret: "${testSecret}"\n`,
    );
    const rotated = await runSekisho(['keys', 'rotate', '--config', file]);
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    const listed = await runSekisho(['keys', 'list', '--config', file]);
    const lines = listed.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/\tcurrent\t/);
    expect(lines[1]).toContain(`${before.keys[0]?.kid}\tretired `);
    for (const gw of [lean, fastify]) await gw.runtime.gateway.assertions?.refresh();
    const after = await fetchJwks(lean.url);
    expect(after.keys.map((k) => k.kid)).toEqual([lines[0]?.split('\t')[0], before.keys[0]?.kid]);
    for (const gw of [lean, fastify]) {
      const token = String(await assertionThrough(gw));
      expect(verifyEs256(token, after.keys, clock.now()).header.kid).toBe(after.keys[0]?.kid);
    }
    // A token signed before the rotation still verifies until it expires.
    expect(verifyEs256(oldToken, after.keys, clock.now()).header.kid).toBe(before.keys[0]?.kid);
  });

  it('refuses an assertion lifetime above 300 s, naming the key', () => {
    expect(() => testConfig({ assertion: { lifetimeSeconds: 301 } })).toThrow(/assertion\.lifetimeSeconds/);
    expect(() => testConfig({ assertion: { privateKey: 'not a key' } })).toThrow(/assertion\.privateKey/);
  });
});
