/**
 * A ceremony's challenge lives in the shared store from the page that asked the browser for a
 * passkey to the answer: any instance can finish what another began. Each is taken once (a second
 * answer with the same challenge finds nothing) and dies after `challengeTtlSeconds`.
 */
import { onFirstUse, type PluginContext } from '../../src/plugin-api.ts';
import type { PasskeyConfig } from './config.ts';

/** @simplewebauthn/server with its ASN.1 stack (~10 MiB): loaded at the first passkey ceremony. */
export const webAuthnServer = onFirstUse(() => import('@simplewebauthn/server'));

type Ctx = PluginContext<PasskeyConfig>;

/** What a challenge was issued for: a registration for a user, or a login bound to a browser. */
export type Ceremony =
  | { readonly kind: 'register'; readonly userId: string }
  /** `binding`: the session's hash (step-up), or `discover` for an ID-less login. */
  | { readonly kind: 'login'; readonly binding: string; readonly userId: string | null };

/** The origin and RP ID: `publicUrl`'s origin and host. */
export function relyingParty(ctx: Ctx): { readonly origin: string; readonly rpId: string } {
  const url = new URL(ctx.gateway.publicUrl);
  return { origin: url.origin, rpId: url.hostname };
}

/** Keeps `ceremony` under its challenge (base64url), once. */
export async function openCeremony(ctx: Ctx, challenge: string, ceremony: Ceremony): Promise<void> {
  const fresh = await ctx.store.putIfAbsent(
    `ceremony:${challenge}`,
    JSON.stringify(ceremony),
    ctx.config.challengeTtlSeconds * 1000,
  );
  if (!fresh) throw new Error('passkey challenge collision');
}

/** The browser's answer with the challenge it signed and the ceremony that challenge was issued for. */
export interface Answer<T, C extends Ceremony> {
  /** The browser's answer as it posted it (not yet verified). */
  readonly response: T;
  /** The challenge its client data names (base64url). */
  readonly challenge: string;
  /** What the challenge was issued for; taken, so no second answer finds it. */
  readonly ceremony: C;
}

/**
 * Reads the answer the page posted (`raw`, the browser's JSON) and takes the ceremony of the
 * challenge it signed (single use); null when the answer is unreadable or no `kind` ceremony is live
 * under its challenge.
 */
export async function takeAnswer<
  T extends { response: { clientDataJSON: string } },
  K extends Ceremony['kind'],
>(ctx: Ctx, raw: string | undefined, kind: K): Promise<Answer<T, Extract<Ceremony, { kind: K }>> | null> {
  const response = parseAnswer<T>(raw);
  const challenge = challengeOf(response?.response?.clientDataJSON);
  const ceremony = challenge === '' ? null : await takeCeremony(ctx, challenge);
  if (!response || ceremony?.kind !== kind) return null;
  return { response, challenge, ceremony: ceremony as Extract<Ceremony, { kind: K }> };
}

/** The ceremony of the challenge the browser signed, taken (single use); null when none is live. */
async function takeCeremony(ctx: Ctx, challenge: string): Promise<Ceremony | null> {
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(challenge)) return null;
  const raw = await ctx.store.take(`ceremony:${challenge}`);
  return raw === null ? null : (JSON.parse(raw) as Ceremony);
}

/** The challenge inside the browser's `clientDataJSON` (base64url), or '' when unreadable. */
function challengeOf(clientDataJSON: unknown): string {
  if (typeof clientDataJSON !== 'string') return '';
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as {
      challenge?: unknown;
    };
    return typeof data.challenge === 'string' ? data.challenge : '';
  } catch {
    return '';
  }
}

/**
 * Why the library refused an answer, for the log and the audit trail, with every quoted value
 * (challenges, origins as the browser sent them) left out.
 */
export function reasonText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/"[^"]*"/g, '"…"').slice(0, 200);
}

/** The browser's answer (the JSON the page posts in `response`), or null when it is not one. */
function parseAnswer<T>(raw: string | undefined): T | null {
  if (!raw || raw.length > 64_000) return null;
  try {
    const parsed = JSON.parse(raw) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as T) : null;
  } catch {
    return null;
  }
}
