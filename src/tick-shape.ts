import { executionAsyncResource } from 'node:async_hooks';

/** The tick object kept by {@link keepTickObjectShape}: never read, only held. */
let keptTick: object | undefined;

/**
 * Keeps one of Node's tick objects (what `process.nextTick` queues) alive for as long as the
 * process runs, so that `process.nextTick` stays on V8's optimised path. Awaited by `sekisho
 * serve` before it loads the gateway's code.
 *
 * Node makes each tick object with an object literal whose first keys are computed (its async id,
 * trigger id and async context frame). V8 defines such keys with one inline cache per key, which
 * remembers the hidden class ("map") it saw, weakly. Tick objects live for a fraction of a turn; if
 * a full garbage collection runs while none is queued (at start-up, or when the memory reducer
 * runs on an idle gateway), the maps of the tick objects' chain die with them. The next tick
 * builds new ones, the caches see a map other than the one they remembered, and they go
 * megamorphic: a state V8 never leaves. From then on every `process.nextTick` (a dozen per proxied
 * request, in Node's HTTP and stream code) defines its keys through V8's runtime — ~390 ns a call
 * instead of ~50 in the many-users benchmark's gateway, in every run measured (docs/performance.md).
 *
 * One tick object held from the start keeps its map alive, and through each map's link to the
 * one before it the whole chain, so every later tick object gets the same maps and the caches
 * stay monomorphic. It is the one this function queues: while a tick's callback runs, Node makes
 * its tick object the current async resource. No async hook is enabled for it: enabling one makes
 * Node install V8's promise hooks, which turns off some of V8's promise optimisations for the
 * rest of the process even after the hook is disabled.
 */
export function keepTickObjectShape(): Promise<void> {
  if (keptTick) return Promise.resolve();
  return new Promise((resolve) =>
    process.nextTick(() => {
      keptTick = executionAsyncResource();
      resolve();
    }),
  );
}
