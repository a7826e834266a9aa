import type { Gateway } from '../../core/gateway.ts';

/**
 * What login, MFA, logout and the plugins' routes may use of the gateway, and nothing more: the composition root hands the
 * feature these, and a new need shows up here first.
 */
export type LoginDeps = Pick<
  Gateway,
  | 'audit'
  | 'catalogue'
  | 'clock'
  | 'config'
  | 'methods'
  | 'metrics'
  | 'passwordLogin'
  | 'recoveryCodes'
  | 'rules'
  | 'secret'
  | 'sessions'
  | 'store'
  | 'users'
>;
