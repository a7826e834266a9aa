import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { methodCredentials } from '../../src/core/plugin-host.ts';
import { systemClock } from '../../src/ports/clock.ts';
import { provisionTotp } from '../../plugins/totp/credentials.ts';
import { startBackend, type FakeBackend } from './backend.ts';
import { launchBrowser } from './browser.ts';
import { createTestRuntime, setRules, type TestGateway, type TestRuntime } from './gateway.ts';

/**
 * Passkeys need a host name (browsers refuse WebAuthn on an IP address), and the gateway's
 * `publicUrl` must be the origin the browser sees: `http://localhost:<port>`, a secure context,
 * with the port chosen before the gateway starts.
 */
export interface PasskeyRig {
  readonly gw: TestGateway;
  readonly backend: FakeBackend;
  readonly browser: Browser;
  /** A second instance sharing the first one's schema, key prefix and public URL, on its own port. */
  second(): Promise<TestGateway>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function listen(test: TestRuntime, port: number, publicUrl: string): Promise<TestGateway> {
  await test.runtime.app.listen({ host: '127.0.0.1', port });
  return { ...test, url: publicUrl };
}

/** A gateway at `http://localhost:<port>` in front of one echoing backend (every app), and Chromium. */
export async function startPasskeyRig(options: {
  readonly apps: readonly string[];
  readonly rules: readonly string[];
  readonly config?: Record<string, unknown>;
}): Promise<PasskeyRig> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    const backend = await startBackend();
    closers.push(() => backend.close());
    const publicUrl = `http://localhost:${await freePort()}`;
    const backends = Object.fromEntries(options.apps.map((app) => [app, { url: backend.url }]));
    const config = { publicUrl, backends, ...options.config };
    const first = await createTestRuntime({ config });
    closers.push(() => first.close());
    const gw = await listen(first, Number(new URL(publicUrl).port), publicUrl);
    await setRules(gw, ...options.rules);
    const browser = await launchBrowser();
    closers.push(() => browser.close());
    const second = async () => {
      const other = await createTestRuntime({ config, sharedWith: first });
      closers.push(() => other.close());
      const port = await freePort();
      await other.runtime.app.listen({ host: '127.0.0.1', port });
      return { ...other, url: `http://127.0.0.1:${port}` };
    };
    return { gw, backend, browser, second, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Options of the DevTools protocol's virtual authenticator (WebAuthn.addVirtualAuthenticator). */
export interface AuthenticatorOptions {
  readonly isUserVerified?: boolean;
}

/** A platform authenticator with resident keys and user verification, on this page (CTAP2). */
export async function addVirtualAuthenticator(
  page: Page,
  options: AuthenticatorOptions = {},
): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: options.isUserVerified ?? true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/** An authenticator app provisioned by the admin; returns its Base32 secret. */
export async function provisionTotpFor(gw: TestRuntime, userId: string): Promise<string> {
  const { gateway } = gw.runtime;
  const store = methodCredentials(gateway.credentials, 'TOTP', systemClock);
  const uri = await provisionTotp(store, gateway.sealFor('plugin:TOTP'), 'Sekisho', userId);
  return new URL(uri).searchParams.get('secret') ?? '';
}
