/**
 * Test support (not loaded by the gateway): builds the MAMORU plugin against the fake Mamoru-style
 * service, over HTTP (`service: {url, apiKey}`) or in process (`service: 'local'`, the fake as
 * `ctx.services.push`), with a memory store and one fake clock for both sides, plus short-hands.
 */
import { gatewaySettings } from './gateway-settings.ts';
import { startFakeMamoru } from './mamoru-server.ts';
import type { FakeMamoru, FakeMamoruOptions } from './mamoru-server.ts';
import { buildPluginContext } from './plugin-context.ts';
import type { TestPluginContext } from './plugin-context.ts';
import type {
  AuthMethod,
  PluginUser,
  PollResult,
  PushClient,
  StartResult,
  VerifyResult,
} from '../../src/plugin-api.ts';
import type { MamoruConfig } from '../../plugins/mamoru/config.ts';
import mamoruPlugin from '../../plugins/mamoru/index.ts';

/** The store factory `buildPluginContext` takes (typed from it: plugins import no core port). */
type StoreFactory = NonNullable<Parameters<typeof buildPluginContext>[3]>;

export interface MamoruHarnessOptions {
  /** `remote` (default): over HTTP to the fake; `local`: the fake in process as `services.push`. */
  readonly mode?: 'remote' | 'local';
  /** Overrides of `plugins.MAMORU.service` in remote mode (e.g. a wrong apiKey, a short timeout). */
  readonly service?: Record<string, unknown>;
  readonly fake?: FakeMamoruOptions;
  /** Another push client than the fake's, in local mode (e.g. one that lies). */
  readonly localClient?: PushClient;
  /** Another store than the memory one (e.g. Redis); the harness does not close it. */
  readonly store?: StoreFactory;
}

/** Who is logging in and in which flow; every field has a default. */
export interface CallOptions {
  readonly user?: PluginUser;
  readonly flowId?: string;
  readonly decoy?: boolean;
  readonly resend?: boolean;
  readonly target?: string;
}

export interface MamoruHarness extends TestPluginContext<MamoruConfig> {
  readonly method: AuthMethod;
  readonly fake: FakeMamoru;
  start(options?: CallOptions): Promise<StartResult>;
  poll(options?: CallOptions): Promise<PollResult>;
  verify(answer: Record<string, string>, options?: CallOptions): Promise<VerifyResult>;
  /** The phone approves the user's latest push with the right number; the page polls for the tokens. */
  approveAndFetch(options?: CallOptions): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export const TEST_USER: PluginUser = {
  id: 'taro',
  displayName: '山田 太郎',
  phone: null,
  email: null,
  groups: ['keiri'],
};

/** What the core passes for an unknown or locked ID. */
export const DECOY_USER: PluginUser = {
  id: 'nobody-such',
  displayName: '',
  phone: null,
  email: null,
  groups: [],
};

export const CLIENT = { ip: '192.0.2.10', userAgent: 'vitest', locale: 'ja' as const };

/** Builds the plugin and its fake service; call `close()` when done. */
export async function buildMamoru(options: MamoruHarnessOptions = {}): Promise<MamoruHarness> {
  const fake = await startFakeMamoru(options.fake);
  const local = options.mode === 'local';
  const config = mamoruPlugin.configSchema.parse({
    service: local ? 'local' : { url: fake.url, apiKey: fake.apiKey, timeoutMs: 2000, ...options.service },
  });
  const gateway = gatewaySettings({ publicUrl: 'https://sso.example.jp' });
  const services = () => (local ? { push: options.localClient ?? fake.client } : {});
  const test = buildPluginContext('MAMORU', config, gateway, options.store, services);
  fake.useClock(test.clock);
  const method = await mamoruPlugin.create(test.ctx);
  const request = (o: CallOptions) => ({
    user: o.user ?? TEST_USER,
    flowId: o.flowId ?? 'flow-1',
    client: CLIENT,
    ...(o.decoy === undefined ? {} : { decoy: o.decoy }),
    ...(o.target === undefined ? {} : { target: o.target }),
  });
  const poll = (o: CallOptions = {}) => method.poll?.(request(o)) ?? Promise.reject(new Error('no poll'));
  return {
    ...test,
    method,
    fake,
    start: (o = {}) => method.start({ ...request(o), resend: o.resend ?? false }),
    poll,
    verify: (answer, o = {}) => method.verify({ ...request(o), answer }),
    approveAndFetch: async (o = {}) => {
      fake.approve(fake.latest((o.user ?? TEST_USER).id).id);
      const result = await poll(o);
      if (result.kind !== 'ready') throw new Error(`expected the tokens, got ${JSON.stringify(result)}`);
      return { ...result.fields };
    },
    close: async () => {
      await method.close?.();
      await fake.close();
    },
  };
}
