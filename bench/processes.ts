import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A benchmark server in its own process, pinned to its cores, with the port it listens on. */
export interface Server {
  readonly name: string;
  readonly child: ChildProcess;
  readonly port: number;
}

/** `taskset -c <cpus>` when taskset exists (Linux), else nothing: the run then says it is unpinned. */
export function pinTo(cpus: string, taskset: string | null): string[] {
  return taskset ? [taskset, '-c', cpus] : [];
}

/**
 * Forks `bench/<file>` under the pin (taskset execs node, so the child keeps its pid and IPC
 * channel) and waits for it to report `{ port }`.
 */
export async function startServer(
  name: string,
  file: string,
  args: readonly string[],
  pin: readonly string[],
  nodeArgs: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): Promise<Server> {
  const [execPath, ...prefix] = pin.length > 0 ? pin : [process.execPath];
  const execArgv = pin.length > 0 ? [...prefix, process.execPath, ...nodeArgs] : [...nodeArgs];
  const child = fork(new URL(file, import.meta.url), [...args], {
    execPath,
    execArgv,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${name} exited early (${code})`)));
  });
  return { name, child, port };
}

/** Forks a pinned one-shot worker (with `env` added to its environment) and returns the one message it reports. */
export function runPinned<T>(
  file: string,
  args: readonly string[],
  pin: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<T> {
  const [execPath, ...prefix] = pin.length > 0 ? pin : [process.execPath];
  const child = fork(new URL(file, import.meta.url), [...args], {
    execPath,
    execArgv: pin.length > 0 ? [...prefix, process.execPath] : [],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message as T));
    child.once('exit', (code) => reject(new Error(`${file} exited (${code})`)));
  });
}

/** Whether a child has ended: exited, or killed by a signal (a Ctrl-C reaches the whole process group). */
export function hasEnded(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Asks a server to stop (IPC disconnect or `stop`), and waits for it to exit. */
export async function stopServer(server: Server, graceful = false): Promise<void> {
  const { child } = server;
  if (hasEnded(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A child on its way out may have closed its IPC channel before its exit is reported.
  if (!child.connected) child.kill('SIGTERM');
  else if (graceful) child.send({ cmd: 'stop' });
  else child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** Resident set size of a process (and, for a cluster, its workers' too), in MiB, from /proc. */
export function rssMiB(pid: number): number {
  let kib = 0;
  for (const id of [pid, ...childrenOf(pid)]) {
    try {
      const status = readFileSync(`/proc/${id}/status`, 'utf8');
      kib += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // The process has gone.
    }
  }
  return kib / 1024;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Samples a process's RSS every 250 ms until stopped; returns the peak. */
export function sampleRss(pid: number): { stop(): number } {
  let peak = rssMiB(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 250);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, rssMiB(pid));
    },
  };
}

/** CPU time (user + system) a process and its direct children have used so far, in seconds. */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const id of [pid, ...childrenOf(pid)]) {
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${id}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process has gone.
    }
  }
  return ticks / 100;
}
