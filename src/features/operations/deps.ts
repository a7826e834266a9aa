import type { Gateway } from '../../core/gateway.ts';

/**
 * What health, readiness and metrics may use of the gateway, and nothing more: the composition root hands the
 * feature these, and a new need shows up here first.
 */
export type OperationsDeps = Pick<Gateway, 'metrics' | 'readiness'>;
