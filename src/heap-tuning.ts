import { setFlagsFromString } from 'node:v8';

/**
 * V8's garbage-collector settings for a gateway process, set by `sekisho serve` (every cluster
 * worker and the demo included) before anything is loaded that serves a request.
 *
 * Allocation-site pretenuring is turned off. V8 watches where objects are made, and a place
 * whose objects mostly outlive a scavenge gets its later objects made in the old generation
 * directly. A gateway's per-request objects (node:http's request and response, their streams'
 * state) live for the length of a request: during a burst of slow ones — logins waiting on the
 * password hash, push long-polls, a slow backend — they outlive scavenges, V8 decides to
 * pretenure those places, and from then on every ordinary request's objects go to the old
 * generation too, where only a mark-compact frees them. Measured on the many-users benchmark
 * after 1,000 logins: ~950 KB/s reached the old generation at 2,000 req/s (a mark-compact every
 * ~3 s) against ~160 KB/s with pretenuring off. What the gateway keeps for long (rules, the session
 * cache, the code) is made once and promoted once, so nothing is lost by copying it through the
 * young generation. docs/benchmarks.md has the figures.
 *
 * A V8 flag rather than a NODE_OPTIONS entry, which does not accept it; set at run time it holds
 * for every pretenuring decision V8 makes after it, and none is made before the first load.
 */
export function tuneGarbageCollector(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
