/**
 * The two one-time tokens of an approved push (docs/push.md §4). Nothing token-like is stored:
 * each is an HMAC under the server secret over the transaction ID and the decision's nonce, so
 * `verify` recomputes them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PushTokens } from '../../plugin-api.ts';

export function computeTokens(secret: string, transactionId: string, nonce: string): PushTokens {
  return { token1: token(secret, 1, transactionId, nonce), token2: token(secret, 2, transactionId, nonce) };
}

/** Both tokens compared in constant time (no early exit between them). */
export function tokensMatch(expected: PushTokens, given: PushTokens): boolean {
  const first = sameText(expected.token1, given.token1);
  const second = sameText(expected.token2, given.token2);
  return first && second;
}

function token(secret: string, n: number, transactionId: string, nonce: string): string {
  // NUL separators: no two different field lists give the same input.
  return createHmac('sha256', secret)
    .update(['push-token', String(n), transactionId, nonce].join('\u0000'))
    .digest('base64url');
}

function sameText(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(typeof given === 'string' ? given : '', 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
