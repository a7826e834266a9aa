/** The user's passkeys as credentials: listed, renamed, removed, and added from `/_sekisho/me`. */
import type { MethodCredentials, PluginContext } from '../../src/plugin-api.ts';
import type { PasskeyConfig } from './config.ts';
import { listing } from './listing.ts';
import { beginRegistration, finishRegistration, nameOf } from './registration.ts';

/** Implements `AuthMethod.credentials` for passkeys. */
export function passkeyCredentials(ctx: PluginContext<PasskeyConfig>): MethodCredentials {
  return {
    list: async (user, locale) => (await ctx.webauthn.list(user.id)).map((c) => listing(c, locale)),
    remove: (user, id) => ctx.credentials.remove(user.id, id),
    async rename(user, id, name) {
      const clean = nameOf(name);
      return clean !== '' && (await ctx.credentials.rename(user.id, id, clean));
    },
    beginEnrolment: (user) => beginRegistration(ctx, user),
    finishEnrolment: (request) => finishRegistration(ctx, request),
  };
}
