/**
 * What the plugin's parts share once created, and the one thing it keeps in the store: which
 * push transaction a login flow is waiting for. The store is already namespaced to the plugin by
 * the core; keys here are relative to that.
 */
import { z } from 'zod';
import type { KeyValueStore, PluginContext, PushClient } from '../../src/plugin-api.ts';
import type { MamoruConfig } from './config.ts';

/** The created plugin's shared state. */
export interface MamoruDeps {
  readonly ctx: PluginContext<MamoruConfig>;
  /** The push service: the gateway's own, or the HTTP client of a remote one. */
  readonly push: PushClient;
}

/** What the flow records need: the plugin's values, its MAC and its clock (a {@link MamoruDeps} will do). */
export interface FlowRecordDeps {
  readonly ctx: Pick<PluginContext<unknown>, 'mac' | 'clock'> & { readonly store: KeyValueStore };
}

/**
 * How long a flow's record outlives the push's expiry: the browser may present the tokens up to
 * `push.tokenTtlSeconds` after the approval, which docs/push.md caps at 120 s. Keeping the record
 * longer than a given service needs is harmless: the service still refuses late tokens.
 */
const TOKEN_TTL_MS = 120_000;

const flowTransactionSchema = z.object({
  transactionId: z.string().min(1),
  number: z.int().nullable(),
  expiresAt: z.number(),
  userId: z.string(),
  decoy: z.boolean(),
});

/** The push a flow waits for. Never the tokens: they travel only through the browser. */
export type FlowTransaction = z.output<typeof flowTransactionSchema>;

/** The store key of `flowId`'s record, by MAC so the flow ID is not readable in the store. */
function flowKey(deps: FlowRecordDeps, flowId: string): string {
  return `flow:${deps.ctx.mac('MAMORU:flow', flowId)}`;
}

/**
 * The transaction `flowId` waits for, when there is one and it belongs to `userId` (the flow of
 * a browser that typed another ID since has nothing for this one).
 */
export async function readFlowTransaction(
  deps: FlowRecordDeps,
  flowId: string,
  userId: string,
): Promise<FlowTransaction | null> {
  const text = await deps.ctx.store.read(flowKey(deps, flowId));
  if (text === null) return null;
  const parsed = flowTransactionSchema.safeParse(parseJson(text));
  if (!parsed.success || parsed.data.userId !== userId) return null;
  return parsed.data;
}

/** Remembers the flow's transaction (replacing an earlier one) until its tokens can no longer be used. */
export async function saveFlowTransaction(
  deps: FlowRecordDeps,
  flowId: string,
  tx: FlowTransaction,
): Promise<void> {
  const ttlMs = Math.max(tx.expiresAt - deps.ctx.clock.now(), 0) + TOKEN_TTL_MS;
  await deps.ctx.store.put(flowKey(deps, flowId), JSON.stringify(tx), ttlMs);
}

/** Forgets the flow's transaction: after a login, or when its tokens were refused. */
export async function forgetFlowTransaction(deps: FlowRecordDeps, flowId: string): Promise<void> {
  await deps.ctx.store.remove(flowKey(deps, flowId));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
