import type { Browser } from 'playwright-core';
import { startIntranet, type RunningIntranet } from '../../src/demo/intranet.ts';
import { launchBrowser } from './browser.ts';
import { setRules, startGateway, type TestGateway } from './gateway.ts';

/** The demo intranet behind a test gateway, and Chromium: what the browser login tests start from. */
export interface IntranetBrowser {
  readonly intranet: RunningIntranet;
  readonly gw: TestGateway;
  readonly browser: Browser;
  /** Closes the browser, the gateway, then the intranet. */
  close(): Promise<void>;
}

export interface IntranetBrowserOptions {
  /** The intranet's apps the gateway proxies, each at `/<name>/` (`portal`, `keiri`, …). */
  readonly apps: readonly string[];
  /** Rule lines, applied before the browser starts. */
  readonly rules: readonly string[];
  /** More config for the gateway (an SMS provider, OTP settings). */
  readonly config?: Record<string, unknown>;
}

export async function startIntranetBrowser(options: IntranetBrowserOptions): Promise<IntranetBrowser> {
  const parts: { intranet?: RunningIntranet; gw?: TestGateway; browser?: Browser } = {};
  const close = async () => {
    await parts.browser?.close();
    await parts.gw?.close();
    await parts.intranet?.close();
  };
  try {
    const intranet = (parts.intranet = await startIntranet({ port: 0 }));
    const backends = Object.fromEntries(options.apps.map((app) => [app, { url: `${intranet.url}/${app}` }]));
    const gw = (parts.gw = await startGateway({ config: { backends, ...options.config } }));
    await setRules(gw, ...options.rules);
    const browser = (parts.browser = await launchBrowser());
    return { intranet, gw, browser, close };
  } catch (error) {
    await close();
    throw error;
  }
}
