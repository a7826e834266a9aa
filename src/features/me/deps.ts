import type { Gateway } from '../../core/gateway.ts';

/**
 * What self-service (`/_sekisho/me`) may use of the gateway, and nothing more: the composition root hands the
 * feature these, and a new need shows up here first.
 */
export type MeDeps = Pick<
  Gateway,
  | 'audit'
  | 'clock'
  | 'config'
  | 'factorActivations'
  | 'methods'
  | 'passwordLogin'
  | 'push'
  | 'recoveryCodes'
  | 'secret'
  | 'sessions'
  | 'store'
  | 'users'
>;
