import { readFileSync } from 'node:fs';

/**
 * A process as a test saw it: its ID and when it started (`/proc/<pid>/stat`, clock ticks since
 * boot). Process IDs come round again (32,768 of them on many machines, and a full test run starts
 * thousands of processes), so a clean-up that kills by ID alone could kill another test's process.
 */
export interface SeenProcess {
  readonly pid: number;
  /** Null when the process was already gone when seen. */
  readonly startedAt: string | null;
}

export function seeProcess(pid: number): SeenProcess {
  return { pid, startedAt: startTime(pid) };
}

/** Kills the process only if the ID still names the one seen; says whether it did. */
export function killIfSame(seen: SeenProcess, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  if (seen.startedAt === null || startTime(seen.pid) !== seen.startedAt) return false;
  process.kill(seen.pid, signal);
  return true;
}

function startTime(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: the fields after it are counted
  // from its last ')'. Field 3 (state) comes first there; field 22 is the start time.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}
