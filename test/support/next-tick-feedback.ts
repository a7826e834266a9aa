import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/**
 * The states of the inline caches `process.nextTick` uses to define its tick object's keys, read
 * from V8's `%DebugPrint` of the function after the line test/fixtures/next-tick-feedback.mjs
 * writes before it: one state per key, `MONOMORPHIC` while every tick object gets the same map.
 */
export function tickKeyFeedback(printed: string): string[] {
  const begin = printed.indexOf('nextTick feedback begin');
  if (begin < 0) throw new Error(`no feedback printed:\n${printed.slice(0, 2000)}`);
  return [...printed.slice(begin).matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map(
    (match) => match[1] as string,
  );
}

export interface PrintingProcess {
  readonly child: ChildProcess;
  readonly stdoutFile: string;
  /** Once it has exited and its stderr is read to the end. */
  readonly exited: Promise<{ readonly code: number | null; readonly stderr: string }>;
}

/**
 * Starts Node with `args`, its stdout the file `stdoutFile`, not a pipe: V8 prints through C's
 * stdio, which on a pipe lost part of a `%DebugPrint` in one run of two. C's buffer is written out
 * at exit, so the file is read then ({@link printedAfterExit}).
 */
export function spawnPrintingToFile(args: readonly string[], stdoutFile: string): PrintingProcess {
  const fd = openSync(stdoutFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...args], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', fd, 'pipe'],
    });
  } finally {
    closeSync(fd);
  }
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stderr })),
  );
  return { child, stdoutFile, exited };
}

/** What the process printed, once it has exited with code 0. */
export async function printedAfterExit({ exited, stdoutFile }: PrintingProcess): Promise<string> {
  const { code, stderr } = await exited;
  if (code !== 0) throw new Error(`node exited with ${code}: ${stderr}`);
  return readFileSync(stdoutFile, 'utf8');
}
