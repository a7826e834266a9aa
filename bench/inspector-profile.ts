/**
 * The V8 sampling profiler (what `--cpu-prof` runs) in a bench server, started and stopped by
 * the parent around one load round so that start-up (module compilation) is not in the profile:
 * `{ cmd: 'profile-start' }`, then `{ cmd: 'profile-stop', file }`; each answered `{ done: cmd }`.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

const inspector = new Session();

async function profile(command: 'profile-start' | 'profile-stop', file?: string): Promise<void> {
  if (command === 'profile-start') {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.setSamplingInterval', { interval: 100 });
    await inspector.post('Profiler.start');
  } else {
    const { profile: result } = await inspector.post('Profiler.stop');
    await writeFile(file ?? 'profile.cpuprofile', JSON.stringify(result));
    inspector.disconnect();
  }
  process.send?.({ done: command });
}

/** Answers the parent's profile commands over IPC. */
export function answerProfileCommands(): void {
  process.on('message', (message) => {
    const { cmd, file } = message as { cmd?: string; file?: string };
    if (cmd === 'profile-start' || cmd === 'profile-stop') void profile(cmd, file);
  });
}
