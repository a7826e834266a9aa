/**
 * The `push` config section: the push service Sekisho runs in the gateway process for the
 * MAMORU method (docs/push.md). Limits follow the protocol: a push waits at most two minutes
 * and its tokens live at most two minutes.
 */
import { z } from 'zod';
import { intIn } from './primitives.ts';

const apiKey = z.string({ error: 'must be a string' }).min(32, { error: 'must be at least 32 characters' });

export const pushSchema = z.strictObject({
  /** Run the push service (device API, authenticator page) in this gateway. */
  enabled: z.boolean({ error: 'must be true or false' }).default(true),
  /** How long an activation link stays usable. */
  activationTtlSeconds: intIn(60, 3600).default(600),
  /** How long a push waits for the phone. */
  requestTtlSeconds: intIn(10, 120).default(60),
  /** How long the browser has to present the tokens after the approval. */
  tokenTtlSeconds: intIn(10, 120).default(120),
  /** Push-bombing cap: pushes one user may be sent per window. */
  maxPendingPerUser: intIn(1, 20).default(3),
  pendingWindowSeconds: intIn(10, 86_400).default(300),
  /** The phone must pick the number shown on the login page among three. */
  numberMatching: z.boolean({ error: 'must be true or false' }).default(true),
  /** How long a browser/IP pair counts as known after a successful login. */
  knownEnvironmentDays: intIn(1, 3650).default(90),
  /** Bearer keys that may call the Mamoru-style API at /_sekisho/push/api/ (other gateways). */
  apiKeys: z.array(apiKey).default([]),
});

export type PushConfig = z.output<typeof pushSchema>;
