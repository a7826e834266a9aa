/**
 * The V8 profilers in a bench server, started and stopped by the parent around one load round so
 * that start-up (module compilation) is not in the profile; each command is answered `{ done: cmd }`:
 *
 * - `{ cmd: 'profile-start' }`, then `{ cmd: 'profile-stop', file }`: the sampling CPU profiler
 *   (what `--cpu-prof` runs);
 * - `{ cmd: 'heap-start', survivors }`, then `{ cmd: 'heap-stop', file }`: the sampling heap
 *   profiler, keeping the samples of objects the GC has collected since. With `survivors: false`
 *   every allocation is kept (what a request allocates); with `survivors: true` only what outlived
 *   a scavenge (objects a scavenge freed are dropped, those a mark-compact freed kept): what is
 *   promoted to the old generation and makes the mark-compacts. A scavenge runs before such a
 *   profile is taken: otherwise the young garbage of the round's last scavenge interval (up to a
 *   semi-space, several hundred bytes per request of a 10 s round) would count as surviving;
 * - `{ cmd: 'heap-snapshot', file }`: a heap snapshot (what the heap holds, by constructor).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import v8, { writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';

const inspector = new Session();
let survivorsOnly = false;

/** A scavenge (V8's minor GC) now. */
function scavenge(): void {
  v8.setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as (options: { type: 'minor' }) => void)({ type: 'minor' });
}

interface Command {
  readonly cmd?: string;
  readonly file?: string;
  readonly survivors?: boolean;
}

async function run({ cmd, file, survivors }: Command): Promise<void> {
  if (cmd === 'profile-start') {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.setSamplingInterval', { interval: 100 });
    await inspector.post('Profiler.start');
  } else if (cmd === 'profile-stop') {
    const { profile: result } = await inspector.post('Profiler.stop');
    await writeFile(file ?? 'profile.cpuprofile', JSON.stringify(result));
    inspector.disconnect();
  } else if (cmd === 'heap-start') {
    inspector.connect();
    await inspector.post('HeapProfiler.enable');
    survivorsOnly = survivors === true;
    await inspector.post('HeapProfiler.startSampling', {
      // One sample per 4 KiB allocated on average (V8's default is 32 KiB).
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: !survivors,
    });
  } else if (cmd === 'heap-stop') {
    if (survivorsOnly) scavenge();
    const { profile: result } = await inspector.post('HeapProfiler.stopSampling');
    await writeFile(file ?? 'profile.heapprofile', JSON.stringify(result));
    inspector.disconnect();
  } else if (cmd === 'heap-snapshot') {
    writeHeapSnapshot(file);
  } else return;
  process.send?.({ done: cmd });
}

/** Answers the parent's profile commands over IPC. */
export function answerProfileCommands(): void {
  process.on('message', (message) => void run(message as Command));
}
