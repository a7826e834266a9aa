/**
 * The wait page's data: the number to pick on the phone and the time left. The time is computed
 * here, server-side, so the page reads right without scripts; wait.js may count it down from
 * `expiresAt`. A decoy flow gets exactly the same data: nothing on the page tells them apart.
 */
import type { PluginView } from '../../src/plugin-api.ts';
import type { FlowTransaction, MamoruDeps } from './deps.ts';

/** The template of the wait page, relative to the project root. */
export const WAIT_TEMPLATE = 'plugins/mamoru/views/wait';

/** The answer fields the page posts back: the two one-time tokens of the approved push. */
export const TOKEN_FIELDS = { token1: 'push_token1', token2: 'push_token2' } as const;

/** Extras on the page: a notice (info), e.g. after a resend. */
interface WaitPageExtras {
  readonly notice?: 'resent';
}

/** The wait page for the push `tx`. */
export function waitView(deps: MamoruDeps, tx: FlowTransaction, extras: WaitPageExtras = {}): PluginView {
  const secondsLeft = Math.max(0, Math.ceil((tx.expiresAt - deps.ctx.clock.now()) / 1000));
  return {
    template: WAIT_TEMPLATE,
    data: {
      number: tx.number,
      expiresAt: tx.expiresAt,
      secondsLeft,
      tokenFields: [TOKEN_FIELDS.token1, TOKEN_FIELDS.token2],
      ...(extras.notice === undefined ? {} : { notice: extras.notice }),
    },
  };
}
