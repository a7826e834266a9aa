/**
 * The user's phone number as SMSOTP's one credential: listed masked, removed by clearing the
 * number (a lost phone). Adding or changing a number is the phone-change page's (it confirms by a
 * code to the old number), not enrolment's.
 */
import type { MethodCredentials, PluginContext } from '../../src/plugin-api.ts';
import { maskPhone } from '../../src/plugin-api.ts';
import { displayPhone } from './phone-display.ts';

/** The credential ID of the phone number (a user has at most one). */
export const PHONE_CREDENTIAL_ID = 'phone';

export function phoneCredentials(ctx: PluginContext<unknown>): MethodCredentials {
  return {
    async list(user) {
      if (!user.phone) return [];
      const shown = displayPhone(user.phone);
      return [{ id: PHONE_CREDENTIAL_ID, name: shown, detail: shown, createdAt: null, lastUsedAt: null }];
    },
    async remove(user, id, by) {
      if (id !== PHONE_CREDENTIAL_ID || !user.phone) return false;
      await ctx.accounts.clearPhone(user.id);
      await ctx.audit({
        event: 'phone_removed',
        outcome: 'success',
        userId: user.id,
        client: by.client,
        detail: { phone: maskPhone(user.phone), actor: by.actor },
      });
      return true;
    },
  };
}
