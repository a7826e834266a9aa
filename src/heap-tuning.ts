import { setFlagsFromString } from 'node:v8';

/**
 * V8's garbage-collector settings for a gateway process, set by `sekisho serve` (every cluster
 * worker and the demo included) before anything is loaded that serves a request: two of them.
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
 * The old generation grows by 30 % of what a mark-compact left, not by V8's own factor. V8 sizes
 * that factor from how fast it collects against how fast the program allocates, up to 4× where
 * memory is plentiful (a heap limit of a few GiB, as on a 24 GiB host), and a gateway's start-up
 * (10,000 rules loaded) and a morning's logins allocate fast: in the many-users benchmark the heap
 * reached 64 MiB before a mark-compact in one run out of two, where 30 MiB survived it. The pages
 * that collection freed stayed in V8's pool (16–20 MiB, resident), and while the load keeps
 * allocating, the memory reducer that would give them back does not run: the process kept
 * ~15 MiB more RSS for as long as it ran (a peak of 140–147 against 124–126 MiB). Under steady
 * load V8 chose ~1.2–1.3× by itself, so the cap changes little there (as many mark-compacts per
 * round at 2,000 req/s in the traces of both); it bounds the bursts.
 *
 * Both are V8 flags, which NODE_OPTIONS does not accept. The image gives them on Node's command
 * line (the Dockerfile's ENTRYPOINT), and this sets at run time only those the command line has
 * not given, so that the gateway started any other way gets them too; set at run time, each holds
 * for every later decision (pretenuring, the limit set after each mark-compact), and none that
 * matters is made before the gateway's code is loaded.
 *
 * Seen in the instruction counts (`npm run bench -- --suite instructions`, 60 req/s under
 * callgrind): after a one-minute warm-up (the suite's default then), three of four gateways with
 * the cap ran every `process.nextTick` of the proxied path through V8's runtime (~385,000–397,000
 * instructions per request against ~316,000–321,000), none of three without it; after five
 * minutes of warm-up the gateway with the cap counted 316,144 without that path. Its cause
 * (session 16): a full collection while no tick object is queued, which the cap makes more
 * frequent during start-up; src/tick-shape.ts keeps a tick object alive so that no collection can
 * cause it.
 */
export function tuneGarbageCollector(execArgv: readonly string[] = process.execArgv): void {
  for (const flag of garbageCollectorFlags(execArgv)) setFlagsFromString(flag);
}

/**
 * The flags {@link tuneGarbageCollector} sets, less those the command line gives itself
 * (`node --heap-growing-percent=50 …` keeps 50): an operator's own choice stands.
 */
export function garbageCollectorFlags(execArgv: readonly string[]): string[] {
  const given = new Set(execArgv.map(flagName));
  return ['--no-allocation-site-pretenuring', `--heap-growing-percent=${heapGrowingPercent}`].filter(
    (flag) => !given.has(flagName(flag)),
  );
}

/** A V8 flag's name as V8 reads it: `--no-a_b=1` and `--a-b` are both `a-b`. */
function flagName(arg: string): string {
  return arg.replace(/^--?/, '').replace(/=.*$/s, '').replaceAll('_', '-').replace(/^no-/, '');
}

/** How much the old generation may grow past what the last mark-compact left, in per cent. */
const heapGrowingPercent = 30;
