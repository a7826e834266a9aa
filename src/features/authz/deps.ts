import type { Gateway } from '../../core/gateway.ts';

/**
 * What the authorization endpoints and the JWKS may use of the gateway: the composition root hands
 * the feature these (and the request pipeline), and a new need shows up here first.
 */
export type AuthzDeps = Pick<Gateway, 'readiness' | 'metrics' | 'assertions' | 'config'>;
