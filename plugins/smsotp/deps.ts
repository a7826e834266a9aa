/**
 * What the plugin's parts share once created, and the names of everything it keeps in the store.
 * The store is already namespaced to the plugin by the core; keys here are relative to that.
 */
import type { GatewaySettings, PluginContext } from '../../src/plugin-api.ts';
import type { SmsOtpConfig } from './config.ts';
import type { FailoverSender } from './providers/failover.ts';

/** The created plugin's shared state. */
export interface SmsOtpDeps {
  readonly ctx: PluginContext<SmsOtpConfig>;
  /** The core sections the plugin reads (`ctx.gateway`): `otp`, `sms`, `publicUrl`. */
  readonly settings: GatewaySettings;
  readonly sender: FailoverSender;
  /** The host named in the SMS's origin-bound line. */
  readonly host: string;
  /** How long one send may hold the per-flow lock: every provider timing out, plus slack. */
  readonly lockTtlMs: number;
}

/** How long a send is remembered so that Karaden's delivery callback can be matched to it. */
export const SEND_RECORD_TTL_MS = 7 * 24 * 3600 * 1000;

/** Keys of one login flow. The flow is named by a MAC so neither user ID nor flow ID is readable. */
export interface FlowKeys {
  /** The challenge: the MAC of the code, the attempts left. */
  readonly challenge: string;
  /** JSON {@link SendMeta} for the page: when sent, when it expires, the masked number. */
  readonly meta: string;
  /** Held while a send is in flight, so a double submit does not send two codes. */
  readonly lock: string;
}

/** The keys of `userId`'s flow `flowId`. */
export function flowKeys(ctx: PluginContext<unknown>, userId: string, flowId: string): FlowKeys {
  const flow = ctx.mac('SMSOTP:flow', userId, flowId);
  return { challenge: `otp:${flow}`, meta: `meta:${flow}`, lock: `lock:${flow}` };
}

/** What a correct answer hashes to: bound to the user and the flow, so it is useless elsewhere. */
export function codeHash(ctx: PluginContext<unknown>, userId: string, flowId: string, code: string): string {
  return ctx.mac('SMSOTP', userId, flowId, code);
}

/** Fixed-window send counters: per user, per phone number (by MAC) and for the whole gateway. */
export function sendCounterKeys(ctx: PluginContext<unknown>, userId: string, phone: string) {
  return {
    user: `sends:user:${encodeURIComponent(userId)}`,
    phone: `sends:phone:${ctx.mac('SMSOTP:phone', phone)}`,
    global: 'sends:global',
  } as const;
}

/** When a send counter's window began (ms), beside the counter: the page says when it ends. */
export function windowStartKey(counterKey: string): string {
  return `${counterKey}:since`;
}

/** Wrong delivery-callback secrets from one client address: a fixed-window counter. */
export function callbackFailuresKey(ip: string): string {
  return `callback-failures:${ip}`;
}

/** The record of one accepted message, for the delivery callback. */
export function sendRecordKey(messageId: string): string {
  return `send:${messageId}`;
}
