import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from '../support/gateway.ts';
import {
  killIfRunning,
  startServerProcess,
  writeServerConfig,
  type ServerFixture,
  type ServerProcess,
} from '../support/server-process.ts';

const recorder = ['--import', fileURLToPath(new URL('../fixtures/record-packages.mjs', import.meta.url))];

/** Libraries for ceremonies, enrolment and the demo: a few requests a day, ~13–16 MiB if loaded at start. */
const loadedOnFirstUse = [
  '@simplewebauthn/server',
  'web-push',
  'qrcode',
  '@electric-sql/pglite',
  'pino-pretty',
];

let fixture: ServerFixture | undefined;
let server: ServerProcess | undefined;

/** Serves with the default methods (passkeys and Web Push on), runs `use`, stops: what it loaded. */
async function packagesLoaded(use: (server: ServerProcess) => Promise<void>): Promise<string[]> {
  fixture = writeServerConfig({});
  server = await startServerProcess(fixture.file, 1, { nodeArgs: recorder });
  await use(server);
  server.child.kill('SIGTERM');
  expect(await server.exited).toEqual({ code: 0, signal: null });
  return JSON.parse(readFileSync(join(dirname(fixture.file), 'loaded-packages.json'), 'utf8')) as string[];
}

afterEach(async () => {
  await killIfRunning(server);
  await fixture?.cleanup();
  server = undefined;
  fixture = undefined;
});

describe('sekisho serve loads ceremony and enrolment libraries on first use, not at start', () => {
  it('serving its pages, it has not loaded them', async () => {
    const loaded = await packagesLoaded(async ({ url }) => {
      expect((await request(`${url}/_sekisho/healthz`)).statusCode).toBe(200);
      const login = await request(`${url}/_sekisho/login`);
      expect(login.statusCode).toBe(200);
      // The login page offers a passkey: offering one needs no WebAuthn library yet.
      expect(await login.body.text()).toContain('/_sekisho/passkey/options');
    });
    expect(loaded).toEqual(expect.arrayContaining(['fastify', 'undici', 'ioredis', 'pg']));
    for (const name of loadedOnFirstUse) expect(loaded).not.toContain(name);
  });

  it('the first passkey ceremony loads the WebAuthn library and answers', async () => {
    const loaded = await packagesLoaded(async ({ url }) => {
      const response = await request(`${url}/_sekisho/passkey/options`, { method: 'POST' });
      expect(response.statusCode).toBe(200);
      const options = (await response.body.json()) as { challenge?: unknown; userVerification?: unknown };
      expect(options.userVerification).toBe('required');
      expect(typeof options.challenge).toBe('string');
    });
    expect(loaded).toContain('@simplewebauthn/server');
    expect(loaded).not.toContain('web-push');
  });
});
