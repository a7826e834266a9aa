import type { Gateway } from '../../core/gateway.ts';

/**
 * What the admin console may use of the gateway, and nothing more: the composition root hands the
 * feature these, and a new need shows up here first.
 */
export type AdminDeps = Pick<
  Gateway,
  | 'audit'
  | 'auditTrail'
  | 'catalogue'
  | 'clock'
  | 'config'
  | 'factorActivations'
  | 'hasher'
  | 'methods'
  | 'push'
  | 'recoveryCodes'
  | 'ruleRepository'
  | 'rules'
  | 'secret'
  | 'sessions'
  | 'users'
>;
