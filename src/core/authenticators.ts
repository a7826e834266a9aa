/**
 * A user's authenticators across every method, through the one interface methods offer
 * (`AuthMethod.credentials`): what "my authenticators" and the admin console list.
 */
import type { CredentialListing, Locale, PluginUser } from '../plugin-api.ts';
import type { LoadedMethod } from './plugin-host.ts';

/** One method's credentials of one user. */
export interface MethodCredentialList {
  readonly method: string;
  readonly loaded: LoadedMethod;
  /** Whether the user can add one themselves (the method offers self-service enrolment). */
  readonly canEnrol: boolean;
  readonly items: readonly CredentialListing[];
}

/** Every method that keeps credentials, with the user's (in the gateway's method order). */
export async function listAuthenticators(
  methods: ReadonlyMap<string, LoadedMethod>,
  user: PluginUser,
  locale?: Locale,
): Promise<MethodCredentialList[]> {
  const lists: MethodCredentialList[] = [];
  for (const [method, loaded] of methods) {
    const credentials = loaded.method.credentials;
    if (!credentials) continue;
    const items = await credentials.list(user, locale);
    lists.push({ method, loaded, canEnrol: credentials.finishEnrolment !== undefined, items });
  }
  return lists;
}

/** Whether the user holds any factor besides the password, of any method. */
export async function hasAnyFactor(
  methods: ReadonlyMap<string, LoadedMethod>,
  user: PluginUser,
): Promise<boolean> {
  for (const { method } of methods.values()) {
    if (method.credentials && (await method.credentials.list(user)).length > 0) return true;
  }
  return false;
}
