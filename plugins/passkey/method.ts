/**
 * The method's pages: step-up for a session that has a password (the user's own passkeys), and the
 * ID-less login (any passkey of this site; the user is whoever it belongs to).
 */
import type {
  ChallengeRequest,
  DiscoverableLogin,
  DiscoveryResult,
  PluginContext,
  PluginRoute,
  StartResult,
  VerifyResult,
} from '../../src/plugin-api.ts';
import { checkAssertion, DISCOVER, loginOptions } from './authentication.ts';
import type { PasskeyConfig } from './config.ts';

type Ctx = PluginContext<PasskeyConfig>;

/** Where the ID-less pages fetch fresh request options (one challenge per attempt). */
export const OPTIONS_PATH = 'passkey/options';

const assertView = (options: string) => ({ template: 'plugins/passkey/views/assert', data: { options } });

/**
 * Implements `AuthMethod.start`: the user's passkeys may answer, bound to this session. The live
 * challenge of this flow is shown again (a reload does not make another) unless `resend` asks.
 */
export async function startPasskey(
  ctx: Ctx,
  request: ChallengeRequest & { readonly resend?: boolean },
): Promise<StartResult> {
  const mine = request.decoy ? [] : await ctx.webauthn.list(request.user.id);
  if (mine.length === 0 && !request.decoy)
    return { kind: 'problem', messageKey: 'notEnrolled', retry: false };
  const liveKey = `live:${ctx.mac('PASSKEY:flow', request.flowId)}`;
  const live = request.resend ? null : await ctx.store.read(liveKey);
  if (live !== null && (await isLive(ctx, live))) return { kind: 'started', view: assertView(live) };
  const options = JSON.stringify(await loginOptions(ctx, request.flowId, request.user.id, mine));
  await ctx.store.put(liveKey, options, ctx.config.challengeTtlSeconds * 1000);
  return { kind: 'started', view: assertView(options) };
}

/** Whether the challenge of these options has not been answered (nor expired) yet. */
async function isLive(ctx: Ctx, options: string): Promise<boolean> {
  const { challenge } = JSON.parse(options) as { challenge: string };
  return (await ctx.store.read(`ceremony:${challenge}`)) !== null;
}

/** Implements `AuthMethod.verify`. */
export async function verifyPasskey(
  ctx: Ctx,
  request: ChallengeRequest & { readonly answer: Readonly<Record<string, string>> },
): Promise<VerifyResult> {
  const outcome = await checkAssertion(ctx, request.answer.response, {
    binding: request.flowId,
    userId: request.user.id,
    client: request.client,
  });
  if (outcome.kind === 'ok' && !request.decoy) return { kind: 'ok', amr: outcome.amr };
  if (outcome.kind === 'ok') return { kind: 'dead', messageKey: 'failed' };
  // No live challenge (used, expired, another browser's): start over, as for any method.
  if (outcome.messageKey === 'expired') return { kind: 'dead', messageKey: 'expired' };
  const fresh = await startPasskey(ctx, { ...request, resend: true });
  if (fresh.kind !== 'started') return { kind: 'dead', messageKey: fresh.messageKey };
  return { kind: 'wrong', view: fresh.view, messageKey: outcome.messageKey };
}

/** Implements `AuthMethod.discovery`. */
export function passkeyDiscovery(ctx: Ctx): DiscoverableLogin {
  const data = { optionsUrl: `/_sekisho/${OPTIONS_PATH}` };
  return {
    page: () => ({ template: 'plugins/passkey/views/login', data }),
    offer: () => ({ template: 'plugins/passkey/views/offer', data }),
    async finish(request): Promise<DiscoveryResult> {
      const outcome = await checkAssertion(ctx, request.answer.response, {
        binding: DISCOVER,
        userId: null,
        client: request.client,
      });
      if (outcome.kind === 'ok') return { kind: 'ok', userId: outcome.userId, amr: outcome.amr };
      return { kind: 'wrong', messageKey: outcome.messageKey };
    },
  };
}

/** `POST /_sekisho/passkey/options`: request options for an ID-less login (any passkey may answer). */
export function optionsRoute(ctx: Ctx): PluginRoute {
  return {
    method: 'POST',
    path: OPTIONS_PATH,
    // Each answer keeps a challenge in the store for a while: one address gets a few a second at most.
    rateLimit: { max: 60, windowSeconds: 60 },
    handle: async () => ({ status: 200, json: await loginOptions(ctx, DISCOVER, null) }),
  };
}
