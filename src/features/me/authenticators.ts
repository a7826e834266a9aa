/**
 * "My authenticators": every method's credentials through the one interface methods offer
 * (`AuthMethod.credentials`), and who may change them. Changing a factor needs a session whose
 * factors were proven in the last 10 minutes; a user with no factor at all enrols the first one only
 * from an admin's activation link, never with a password alone.
 */
import { hasAnyFactor, listAuthenticators } from '../../core/authenticators.ts';
import type { LoadedMethod } from '../../core/plugin-host.ts';
import type { ActiveSession } from '../../core/session-service.ts';
import { PASSWORD } from '../../domain/rules/decide.ts';
import type { CredentialListing, Locale, PluginUser } from '../../plugin-api.ts';

/** How recent the session's proof of its factors must be to add or remove one. */
export const FRESH_PROOF_MS = 10 * 60_000;

/** One method's section on the page. */
export interface MethodSection {
  readonly method: string;
  readonly label: string;
  readonly canEnrol: boolean;
  readonly items: readonly CredentialRow[];
}

export interface CredentialRow {
  readonly id: string;
  readonly name: string;
  readonly detail: string | null;
  readonly added: string | null;
  readonly lastUsed: string | null;
}

/**
 * The methods that keep credentials, each with the user's, as the page shows them. `time` writes a
 * date and time the page's way, in the gateway's zone (`it.shell.dateTime`); pages that show only
 * the methods (step-up, activation) leave it out and get no times.
 */
export async function methodSections(
  methods: ReadonlyMap<string, LoadedMethod>,
  user: PluginUser,
  locale: Locale,
  time?: (ms: number) => string,
): Promise<MethodSection[]> {
  return (await listAuthenticators(methods, user, locale)).map(({ method, loaded, canEnrol, items }) => ({
    method,
    label: loaded.plugin.messages[locale].methodName ?? method,
    canEnrol,
    items: items.map((c: CredentialListing) => ({
      id: c.id,
      name: c.name,
      detail: c.detail && c.detail !== c.name ? c.detail : null,
      added: c.createdAt === null || !time ? null : time(c.createdAt),
      lastUsed: c.lastUsedAt === null || !time ? null : time(c.lastUsedAt),
    })),
  }));
}

export { hasAnyFactor };

export type ChangeRight =
  | { readonly kind: 'allowed' }
  /** Prove a factor again (or for the first time in this session); the session is kept. */
  | { readonly kind: 'step-up' }
  /** No factor at all and none proven: only an admin's activation link may enrol one. */
  | { readonly kind: 'needs-activation' };

/** May this session add or remove a factor now? */
export function changeRight(session: ActiveSession, hasFactor: boolean, now: number): ChangeRight {
  const factors = session.data.proven.filter((m) => m !== PASSWORD);
  if (factors.length === 0) return hasFactor ? { kind: 'step-up' } : { kind: 'needs-activation' };
  // The latest proof of a factor other than the password: a fresh password alone (a second login
  // in the same session) must not make an old second factor count as recent.
  const latest = Math.max(...factors.map((method) => session.data.provenAt?.[method] ?? 0));
  return now - latest <= FRESH_PROOF_MS ? { kind: 'allowed' } : { kind: 'step-up' };
}
