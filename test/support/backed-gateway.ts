import { startBackend, type FakeBackend } from './backend.ts';
import { setRules, startGateway, type GatewayOptions, type TestGateway } from './gateway.ts';

/** A test gateway in front of one fake backend (backend.ts), with its rules set. */
export interface BackedGateway {
  readonly backend: FakeBackend;
  readonly gw: TestGateway;
  /** Stops the gateway, then the backend. */
  close(): Promise<void>;
}

export interface BackedGatewayOptions extends GatewayOptions {
  /** Backend names, each proxied at `/<name>/` to the one fake backend. */
  readonly backends: readonly string[];
  /** Rule lines, set through the admin service and applied before this returns. */
  readonly rules: readonly string[];
}

/** Starts a fake backend, then a gateway whose `backends` all point at it, then sets the rules. */
export async function startBackedGateway(options: BackedGatewayOptions): Promise<BackedGateway> {
  const { backends, rules, ...gatewayOptions } = options;
  const backend = await startBackend();
  const gw = await startGateway({
    ...gatewayOptions,
    config: {
      ...gatewayOptions.config,
      backends: Object.fromEntries(backends.map((name) => [name, { url: backend.url }])),
    },
  });
  await setRules(gw, ...rules);
  return {
    backend,
    gw,
    close: async () => {
      await gw.close();
      await backend.close();
    },
  };
}
