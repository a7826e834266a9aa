/**
 * The development sandbox: "sends" by keeping the message in memory, where the sandbox page shows
 * it. Only ever used when `sms.sandbox.enabled` is true, so production never keeps codes around.
 */
import { randomUUID } from 'node:crypto';
import type { SendOutcome, SmsMessage, SmsProvider } from './types.ts';

/** How many messages the sandbox remembers; older ones fall off. */
export const SANDBOX_CAPACITY = 200;

/** One message the sandbox received. */
export interface SandboxMessage {
  readonly id: string;
  /** The recipient as given (E.164). */
  readonly to: string;
  readonly body: string;
  /** When it was "sent" (ms since the epoch). */
  readonly at: number;
}

/** The sandbox provider, plus a way to read what it has "sent". */
export interface SandboxProvider extends SmsProvider {
  /** The remembered messages, newest first. */
  messages(): readonly SandboxMessage[];
}

/** Creates an empty sandbox whose timestamps come from `clock`. */
export function createSandboxProvider(clock: { now(): number }): SandboxProvider {
  const kept: SandboxMessage[] = [];
  return {
    name: 'sandbox',
    async send(message: SmsMessage): Promise<SendOutcome> {
      const entry = { id: randomUUID(), to: message.to, body: message.body, at: clock.now() };
      kept.push(entry);
      if (kept.length > SANDBOX_CAPACITY) kept.splice(0, kept.length - SANDBOX_CAPACITY);
      return { ok: true, messageId: entry.id };
    },
    messages: () => [...kept].reverse(),
  };
}
