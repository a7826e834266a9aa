/**
 * Builds the SMSOTP plugin as the core would, against the fake Karaden and/or the sandbox, with a
 * memory store and a fake clock, plus short-hands for the tests: start, verify, call a route, and
 * read the code that was "received" on the phone.
 */
import smsOtpPlugin from '../../plugins/smsotp/index.ts';
import type { FakeClock } from '../../src/ports/clock.ts';
import type { Store } from '../../src/ports/store.ts';
import type {
  AuthMethod,
  ChallengePurpose,
  Locale,
  PluginHttpResponse,
  PluginUser,
  StartResult,
  VerifyResult,
} from '../../src/plugin-api.ts';
import { gatewaySettings } from './gateway-settings.ts';
import { karadenSettings, startFakeKaraden } from './karaden-server.ts';
import type { FakeKaraden } from './karaden-server.ts';
import { buildPluginContext } from './plugin-context.ts';
import type { TestPluginContext } from './plugin-context.ts';

export interface HarnessOptions {
  /** `sms.provider`, in failover order. */
  readonly providers?: readonly ('karaden' | 'sandbox')[];
  readonly otp?: Record<string, number>;
  readonly karaden?: Record<string, unknown>;
  readonly callbackSecret?: string;
  /** `sms.sandbox.page`: serve what the sandbox sent (off by default, as in the gateway). */
  readonly sandboxPage?: boolean;
  readonly pluginConfig?: unknown;
  readonly publicUrl?: string;
  /** Another store than the memory one; the harness does not close it. */
  readonly store?: (clock: FakeClock) => Store;
}

export interface Harness extends TestPluginContext<unknown> {
  readonly method: AuthMethod;
  /** The fake Karaden, when `karaden` is among the providers. */
  readonly karaden: FakeKaraden | null;
  readonly user: PluginUser;
  start(options?: {
    resend?: boolean;
    user?: PluginUser;
    flowId?: string;
    locale?: Locale;
    purpose?: ChallengePurpose;
  }): Promise<StartResult>;
  verify(otp: string, options?: { user?: PluginUser; flowId?: string }): Promise<VerifyResult>;
  route(method: 'GET' | 'POST', path: string, request?: RouteCall): Promise<PluginHttpResponse>;
  /** The body of the last SMS the fake Karaden accepted. */
  lastKaradenBody(): string;
  close(): Promise<void>;
}

interface RouteCall {
  readonly params?: Record<string, string>;
  readonly body?: unknown;
}

/** Test defaults: the contract's OTP settings, a Japanese mobile user, publicUrl on port 8443. */
export const TEST_OTP = {
  length: 6,
  ttlSeconds: 300,
  maxAttempts: 5,
  resendCooldownSeconds: 30,
  maxSendsPerWindow: 5,
  sendWindowSeconds: 3600,
  globalMaxSendsPerMinute: 60,
};

export const TEST_USER: PluginUser = {
  id: 'taro',
  displayName: '山田 太郎',
  phone: '+819012345678',
  email: null,
  groups: ['keiri'],
};

/** Builds the plugin; call `close()` when done. */
export async function buildSmsOtp(options: HarnessOptions = {}): Promise<Harness> {
  const providers = options.providers ?? ['karaden'];
  const karaden = providers.includes('karaden') ? await startFakeKaraden() : null;
  const sms = {
    provider: [...providers],
    sandbox: { enabled: providers.includes('sandbox'), page: options.sandboxPage ?? false },
    ...(karaden && {
      karaden: {
        ...karadenSettings(karaden),
        version: '2024-03-01',
        timeoutMs: 2000,
        ...options.karaden,
      },
    }),
    ...(options.callbackSecret !== undefined && { callbackSecret: options.callbackSecret }),
  };
  const gateway = gatewaySettings({
    publicUrl: options.publicUrl ?? 'https://sso.example.jp:8443',
    otp: { ...TEST_OTP, ...options.otp },
    sms,
  });
  const config = smsOtpPlugin.configSchema.parse(options.pluginConfig ?? {});
  const test = buildPluginContext('SMSOTP', config, gateway, options.store);
  const method = await smsOtpPlugin.create(test.ctx);
  const client = (locale: Locale = 'ja') => ({ ip: '192.0.2.10', userAgent: 'vitest', locale });
  return {
    ...test,
    method,
    karaden,
    user: TEST_USER,
    start: (o = {}) =>
      method.start({
        user: o.user ?? TEST_USER,
        flowId: o.flowId ?? 'flow-1',
        client: client(o.locale),
        resend: o.resend ?? false,
        ...(o.purpose ? { purpose: o.purpose } : {}),
      }),
    verify: (otp, o = {}) =>
      method.verify({
        user: o.user ?? TEST_USER,
        flowId: o.flowId ?? 'flow-1',
        client: client(),
        answer: { otp },
      }),
    route: async (verb, path, call = {}) => {
      const route = method.routes?.find((r) => r.method === verb && r.path === path);
      if (!route) throw new Error(`no route ${verb} ${path}`);
      return route.handle({
        params: call.params ?? {},
        query: {},
        body: call.body,
        headers: {},
        client: client(),
      });
    },
    lastKaradenBody: () => {
      const last = karaden?.received.at(-1);
      if (!last) throw new Error('the fake Karaden received nothing');
      return last.message.body;
    },
    close: async () => {
      await method.close?.();
      await karaden?.close();
    },
  };
}

/** The code in an SMS body: the origin-bound last line `@host #code`. */
export function codeIn(body: string): string {
  const match = /#(\d+)$/.exec(body);
  if (!match?.[1]) throw new Error('no code in the SMS body');
  return match[1];
}
