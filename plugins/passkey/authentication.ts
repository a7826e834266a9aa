/**
 * Signing in with a passkey: the request options for `navigator.credentials.get()` (user
 * verification required), and the check of the assertion. The signature counter must grow: a
 * stale one (a cloned authenticator) is refused, and the new value is stored by compare-and-set, so
 * two instances cannot both accept the same counter.
 */
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { PluginClient, PluginContext, StoredWebAuthnCredential } from '../../src/plugin-api.ts';
import { openCeremony, reasonText, relyingParty, takeAnswer, webAuthnServer } from './ceremonies.ts';
import type { PasskeyConfig } from './config.ts';

type Ctx = PluginContext<PasskeyConfig>;

/** The binding of an ID-less login's challenge (no session yet). */
export const DISCOVER = 'discover';

/** Options for a login bound to `binding`; `userId` names whose passkeys may answer (null: any). */
export async function loginOptions(
  ctx: Ctx,
  binding: string,
  userId: string | null,
  allow: readonly StoredWebAuthnCredential[] = [],
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { generateAuthenticationOptions } = await webAuthnServer();
  const options = await generateAuthenticationOptions({
    rpID: relyingParty(ctx).rpId,
    userVerification: 'required',
    timeout: ctx.config.challengeTtlSeconds * 1000,
    allowCredentials: allow.map((c) => ({ id: c.credentialId, transports: [...c.transports] })),
  });
  await openCeremony(ctx, options.challenge, { kind: 'login', binding, userId });
  return options;
}

export type AssertionOutcome =
  | { readonly kind: 'ok'; readonly userId: string; readonly amr: readonly string[] }
  | { readonly kind: 'refused'; readonly messageKey: 'expired' | 'failed' };

/** What the check is for: the browser binding and, for a step-up, the user who must answer. */
export interface AssertionExpectation {
  readonly binding: string;
  readonly userId: string | null;
  readonly client: PluginClient;
}

/** Checks the assertion the page posted (`response`, the browser's JSON). */
export async function checkAssertion(
  ctx: Ctx,
  raw: string | undefined,
  expect: AssertionExpectation,
): Promise<AssertionOutcome> {
  const answer = await takeAnswer<AuthenticationResponseJSON, 'login'>(ctx, raw, 'login');
  const refuse = (reason: string, userId: string | null, extra: Record<string, unknown> = {}) =>
    refused(ctx, expect, reason, userId, extra);
  if (!answer || answer.ceremony.binding !== expect.binding) {
    await refuse('no-live-challenge', expect.userId);
    return { kind: 'refused', messageKey: 'expired' };
  }
  const { response, challenge } = answer;
  const stored = typeof response.id === 'string' ? await ctx.webauthn.find(response.id) : null;
  if (!stored) return failed(refuse('unknown-credential', expect.userId));
  if (expect.userId !== null && stored.userId !== expect.userId)
    return failed(refuse('other-users-credential', expect.userId, { holder: stored.userId }));
  const handle = response.response.userHandle;
  if (handle !== undefined && handle !== stored.userHandle)
    return failed(refuse('user-handle-mismatch', stored.userId));
  const { origin, rpId } = relyingParty(ctx);
  const { verifyAuthenticationResponse } = await webAuthnServer();
  let info;
  try {
    const verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpId,
      requireUserVerification: true,
      credential: {
        id: stored.credentialId,
        publicKey: new Uint8Array(Buffer.from(stored.publicKey, 'base64url')),
        counter: stored.signCount,
        transports: [...stored.transports] as never,
      },
    });
    if (!verified.verified) return failed(refuse('invalid', stored.userId));
    info = verified.authenticationInfo;
  } catch (error) {
    const message = reasonText(error);
    const reason = /counter/i.test(message) ? 'stale-counter' : 'invalid';
    return failed(refuse(reason, stored.userId, { id: stored.id, error: message }));
  }
  const moved = await ctx.webauthn.recordUse(
    stored.credentialId,
    stored.signCount,
    info.newCounter,
    info.credentialBackedUp,
  );
  if (!moved) return failed(refuse('stale-counter', stored.userId, { id: stored.id }));
  const synced = info.credentialDeviceType === 'multiDevice' || info.credentialBackedUp;
  await ctx.audit({
    event: 'check',
    outcome: 'success',
    userId: stored.userId,
    client: expect.client,
    detail: { id: stored.id, synced, discoverable: expect.userId === null },
  });
  return { kind: 'ok', userId: stored.userId, amr: [synced ? 'swk' : 'hwk', 'user'] };
}

async function failed(audited: Promise<void>): Promise<AssertionOutcome> {
  await audited;
  return { kind: 'refused', messageKey: 'failed' };
}

async function refused(
  ctx: Ctx,
  expect: AssertionExpectation,
  reason: string,
  userId: string | null,
  detail: Record<string, unknown>,
): Promise<void> {
  ctx.log.warn({ user: userId, reason }, 'passkey refused');
  await ctx.audit({
    event: 'check',
    outcome: 'failure',
    userId,
    client: expect.client,
    detail: { reason, ...detail },
  });
}
