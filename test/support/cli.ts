import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** What one CLI run printed and how it ended. */
export interface CliRun {
  readonly code: number;
  /** The signal that ended it: SIGKILL when it outlived `timeoutMs`. */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real CLI in a child process, as an admin or an ops script would; `entry`: another
 * entry point (a compiled build's bin/sekisho.js); `timeoutMs`: SIGKILL it after that long.
 */
export function runSekisho(
  args: readonly string[],
  options: { stdin?: string; env?: Record<string, string>; entry?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [options.entry ?? main, ...args],
      {
        env: { PATH: process.env.PATH ?? '', ...options.env },
        timeout: options.timeoutMs ?? 0,
        killSignal: 'SIGKILL',
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number(error.code ?? 1) : 0,
          signal: (error?.signal as NodeJS.Signals | undefined) ?? null,
          stdout,
          stderr,
        }),
    );
    child.stdin?.end(options.stdin ?? '');
  });
}
