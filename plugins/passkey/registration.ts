/**
 * Adding a passkey from `/_sekisho/me`: the options the browser's `navigator.credentials.create()`
 * needs (a discoverable credential, user verification required), then the check of its answer.
 */
import type { RegistrationResponseJSON, VerifiedRegistrationResponse } from '@simplewebauthn/server';
import type {
  EnrolmentRequest,
  EnrolmentResult,
  PluginContext,
  PluginUser,
  PluginView,
} from '../../src/plugin-api.ts';
import { openCeremony, reasonText, relyingParty, takeAnswer, webAuthnServer } from './ceremonies.ts';
import type { PasskeyConfig } from './config.ts';
import { listing } from './listing.ts';
import { messages } from './messages.ts';

type Ctx = PluginContext<PasskeyConfig>;

const NO_AAGUID = '00000000-0000-0000-0000-000000000000';

/**
 * The user's WebAuthn user handle: 32 bytes derived from their ID under the server secret, so it
 * says nothing about who they are and the same user gets the same handle on every authenticator.
 */
export function userHandleOf(ctx: Ctx, userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(ctx.mac('PASSKEY:user-handle', userId), 'base64url'));
}

/** The enrolment page: the creation options, kept under their challenge. */
export async function beginRegistration(ctx: Ctx, user: PluginUser): Promise<PluginView> {
  const { rpId } = relyingParty(ctx);
  const existing = await ctx.webauthn.list(user.id);
  const { generateRegistrationOptions } = await webAuthnServer();
  const options = await generateRegistrationOptions({
    rpName: ctx.config.rpName,
    rpID: rpId,
    userName: user.id,
    userDisplayName: user.displayName || user.id,
    userID: userHandleOf(ctx, user.id),
    timeout: ctx.config.challengeTtlSeconds * 1000,
    attestationType: ctx.config.allowedAaguids.length > 0 ? 'direct' : 'none',
    excludeCredentials: existing.map((c) => ({ id: c.credentialId, transports: [...c.transports] })),
    authenticatorSelection: {
      residentKey: 'required',
      requireResidentKey: true,
      userVerification: 'required',
    },
  });
  await openCeremony(ctx, options.challenge, { kind: 'register', userId: user.id });
  return { template: 'plugins/passkey/views/enrol', data: { options: JSON.stringify(options) } };
}

/** Checks the browser's answer and keeps the passkey. */
export async function finishRegistration(ctx: Ctx, request: EnrolmentRequest): Promise<EnrolmentResult> {
  const { user, client } = request;
  const answer = await takeAnswer<RegistrationResponseJSON, 'register'>(
    ctx,
    request.answer.response,
    'register',
  );
  if (!answer || answer.ceremony.userId !== user.id)
    return refuse(ctx, request, 'enrolExpired', 'no-live-challenge');
  const { response, challenge } = answer;
  const { verifyRegistrationResponse } = await webAuthnServer();
  let verified: VerifiedRegistrationResponse;
  try {
    const { origin, rpId } = relyingParty(ctx);
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpId,
      requireUserVerification: true,
    });
  } catch (error) {
    return refuse(ctx, request, 'enrolFailed', 'invalid', error);
  }
  if (!verified.verified) return refuse(ctx, request, 'enrolFailed', 'invalid');
  const info = verified.registrationInfo;
  const allowed = ctx.config.allowedAaguids;
  if (allowed.length > 0 && (info.fmt === 'none' || !allowed.includes(info.aaguid)))
    return refuse(ctx, request, 'modelNotAllowed', 'model-not-allowed', undefined, { aaguid: info.aaguid });
  if (await ctx.webauthn.find(info.credential.id))
    return refuse(ctx, request, 'alreadyRegistered', 'duplicate');
  const name = nameOf(request.answer.name) || messages[client.locale].credentialName;
  const stored = await ctx.webauthn.add(user.id, name, {
    credentialId: info.credential.id,
    userHandle: Buffer.from(userHandleOf(ctx, user.id)).toString('base64url'),
    publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
    signCount: info.credential.counter,
    transports: info.credential.transports ?? [],
    backedUp: info.credentialBackedUp,
    multiDevice: info.credentialDeviceType === 'multiDevice',
    aaguid: info.aaguid || NO_AAGUID,
  });
  await ctx.audit({
    event: 'registered',
    outcome: 'success',
    userId: user.id,
    client,
    detail: { id: stored.id, aaguid: stored.aaguid, synced: stored.multiDevice, attestation: info.fmt },
  });
  return { kind: 'enrolled', credential: listing(stored, client.locale) };
}

/** What the user typed as the passkey's name: trimmed, one line, at most 64 characters. */
export function nameOf(raw: string | undefined): string {
  return (raw ?? '')
    .normalize('NFKC')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .trim()
    .slice(0, 64);
}

async function refuse(
  ctx: Ctx,
  request: EnrolmentRequest,
  messageKey: string,
  reason: string,
  error?: unknown,
  extra: Record<string, unknown> = {},
): Promise<EnrolmentResult> {
  const detail = { reason, ...extra, ...(error === undefined ? {} : { error: reasonText(error) }) };
  ctx.log.warn({ user: request.user.id, ...detail }, 'passkey registration refused');
  await ctx.audit({
    event: 'registration',
    outcome: 'failure',
    userId: request.user.id,
    client: request.client,
    detail,
  });
  if (messageKey === 'enrolFailed' || messageKey === 'alreadyRegistered') {
    const view = await beginRegistration(ctx, request.user);
    return { kind: 'wrong', view, messageKey };
  }
  return { kind: 'dead', messageKey };
}
