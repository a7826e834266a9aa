/**
 * Tries the configured providers in order until one accepts the message. Each attempt is reported
 * back, so that the plugin audits every provider that was asked, not just the last one.
 */
import type { SendOutcome, SmsMessage, SmsProvider } from './types.ts';

/** One provider asked once. */
export interface SendAttempt {
  readonly provider: string;
  readonly outcome: SendOutcome;
}

/** The result of sending through the chain. */
export interface FailoverResult {
  /** Every provider asked, in order; the last one decided. */
  readonly attempts: readonly SendAttempt[];
  /** The accepting provider and its message id, or null when none accepted. */
  readonly accepted: { readonly provider: string; readonly messageId: string } | null;
}

/** A chain of providers that acts as one. */
export interface FailoverSender {
  readonly providers: readonly SmsProvider[];
  send(message: SmsMessage): Promise<FailoverResult>;
  close(): Promise<void>;
}

/** Chains `providers` (at least one) in failover order. */
export function createFailover(providers: readonly SmsProvider[]): FailoverSender {
  if (providers.length === 0) throw new Error('smsotp: no usable SMS provider is configured');
  return {
    providers,
    async send(message) {
      const attempts: SendAttempt[] = [];
      for (const provider of providers) {
        const outcome = await provider.send(message);
        attempts.push({ provider: provider.name, outcome });
        if (outcome.ok)
          return { attempts, accepted: { provider: provider.name, messageId: outcome.messageId } };
        // The number is the problem, not the provider: another provider would fail (or bill) too.
        if (outcome.reason === 'invalid-number') break;
      }
      return { attempts, accepted: null };
    },
    async close() {
      await Promise.all(providers.map((p) => p.close?.()));
    },
  };
}
