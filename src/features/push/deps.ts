import type { Gateway } from '../../core/gateway.ts';

/**
 * What the push pages may use of the gateway, and nothing more: the composition root hands the
 * feature these, and a new need shows up here first.
 */
export type PushPagesDeps = Pick<Gateway, 'config' | 'push'>;
