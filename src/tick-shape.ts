import { createHook } from 'node:async_hooks';

/** The tick object kept by {@link keepTickObjectShape}: never read, only held. */
let keptTick: object | undefined;

/**
 * Keeps one of Node's tick objects (what `process.nextTick` queues) alive for as long as the
 * process runs, so that `process.nextTick` stays on V8's optimised path. Called by `sekisho
 * serve` before it loads the gateway's code.
 *
 * Node makes each tick object with an object literal whose first keys are computed (its
 * async-id symbols). V8 defines such keys with one inline cache per key, which remembers the
 * hidden class ("map") it saw, weakly. Tick objects live for a fraction of a turn; if a full
 * garbage collection runs while none is queued (at start-up, or when the memory reducer runs on
 * an idle gateway), the maps of the tick objects' chain die with them. The next tick builds new
 * ones, the caches see a map other than the one they remembered, and they go megamorphic: a
 * state V8 never leaves. From then on every `process.nextTick` (a dozen per proxied request, in
 * Node's HTTP and stream code) defines its keys through V8's runtime — ~390 ns a call instead of
 * ~50 in the many-users benchmark's gateway, in every run measured (docs/performance.md).
 *
 * One tick object held from the start keeps its map alive, and through each map's link to the
 * one before it the whole chain, so every later tick object gets the same maps and the caches
 * stay monomorphic. It is caught from the async-hooks `init` call Node makes for it, with the
 * hook enabled for that one `process.nextTick` only.
 */
export function keepTickObjectShape(): void {
  if (keptTick) return;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource: object) {
      if (type === 'TickObject') keptTick ??= resource;
    },
  });
  hook.enable();
  try {
    process.nextTick(() => {});
  } finally {
    hook.disable();
  }
}
