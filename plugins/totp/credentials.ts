/**
 * The user's authenticator app as a credential: listed, removed, enrolled by the user (the secret
 * counts only after one code confirms it) or provisioned by an admin (active at once).
 */
import type {
  CredentialListing,
  EnrolmentRequest,
  EnrolmentResult,
  MethodCredentials,
  PluginContext,
  PluginCredentialStore,
  SealedBox,
  StoredCredential,
} from '../../src/plugin-api.ts';
import { newSecret, otpauthUri } from './algorithm.ts';
import { checkCode, normaliseCode, userKeys } from './check.ts';
import type { TotpConfig } from './config.ts';
import { messages } from './messages.ts';
import { enrolView } from './pages.ts';

type Ctx = PluginContext<TotpConfig>;

/** How long a self-service enrolment waits for its confirming code. */
const PENDING_TTL_MS = 10 * 60_000;

function listing(credential: StoredCredential): CredentialListing {
  return {
    id: credential.id,
    name: credential.name,
    createdAt: credential.createdAt,
    lastUsedAt: credential.lastUsedAt,
  };
}

/** Implements `AuthMethod.credentials` for TOTP. */
export function totpCredentials(ctx: Ctx): MethodCredentials {
  return {
    list: async (user) => (await ctx.credentials.list(user.id)).map(listing),
    remove: (user, id) => ctx.credentials.remove(user.id, id),
    async beginEnrolment(user) {
      const secret = await pendingSecret(ctx, user.id);
      return enrolView(otpauthUri(ctx.config.issuer, user.id, secret), secret);
    },
    finishEnrolment: (request) => finishEnrolment(ctx, request),
  };
}

/**
 * The secret of the user's enrolment under way: the one already shown while it lives, else a new
 * one. Showing the page (a GET: a reload, a second tab, a browser's prefetch) thus never replaces
 * the secret an app may have scanned already; put-if-absent makes two pages opened at once agree.
 * Its 10 minutes run from the first page and are not extended by showing it again.
 */
async function pendingSecret(ctx: Ctx, userId: string): Promise<string> {
  const key = userKeys(ctx, userId).pending;
  // Another page's secret can expire between its put and our read: a few tries, never a spin.
  for (let tries = 0; tries < 3; tries += 1) {
    const sealed = await ctx.store.read(key);
    if (sealed !== null) return ctx.sealed.open(sealed);
    const secret = newSecret();
    if (await ctx.store.putIfAbsent(key, ctx.sealed.seal(secret), PENDING_TTL_MS)) return secret;
  }
  throw new Error('TOTP enrolment: the store keeps no pending secret');
}

async function finishEnrolment(ctx: Ctx, request: EnrolmentRequest): Promise<EnrolmentResult> {
  const keys = userKeys(ctx, request.user.id);
  const sealed = await ctx.store.read(keys.pending);
  if (sealed === null) return { kind: 'dead', messageKey: 'enrolExpired' };
  const secret = ctx.sealed.open(sealed);
  const uri = otpauthUri(ctx.config.issuer, request.user.id, secret);
  const code = normaliseCode(request.answer.otp);
  if (code === '') return { kind: 'wrong', view: await enrolView(uri, secret), messageKey: 'emptyCode' };
  const outcome = await checkCode(ctx, request.user.id, code, [{ credentialId: null, secret }]);
  if (outcome.kind === 'refused') {
    await ctx.store.remove(keys.pending);
    return { kind: 'dead', messageKey: 'tooManyAttempts' };
  }
  if (outcome.kind !== 'ok') {
    const view = await enrolView(uri, secret, outcome.attemptsLeft);
    return { kind: 'wrong', view, messageKey: outcome.kind === 'used' ? 'codeUsed' : 'wrongCode' };
  }
  await ctx.store.remove(keys.pending);
  const name = messages[request.client.locale].credentialName;
  const credential = await ctx.credentials.add(
    request.user.id,
    name,
    { secret: ctx.sealed.seal(secret) },
    {
      replace: true,
    },
  );
  return { kind: 'enrolled', credential: listing(credential) };
}

/**
 * An admin's enrolment (`sekisho totp enroll`): a new secret, active at once, replacing any
 * earlier one. Returns the otpauth URI, the only time the secret is ever shown.
 */
export async function provisionTotp(
  store: PluginCredentialStore,
  sealed: SealedBox,
  issuer: string,
  userId: string,
): Promise<string> {
  const secret = newSecret();
  await store.add(
    userId,
    messages.ja.credentialName,
    { secret: sealed.seal(secret), provisioned: true },
    {
      replace: true,
    },
  );
  return otpauthUri(issuer, userId, secret);
}
