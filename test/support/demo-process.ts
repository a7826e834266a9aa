import { spawn, type ChildProcess } from 'node:child_process';
import { projectRoot } from '../../src/project-root.ts';
import type { Exit } from './server-process.ts';

/** `npm start` as a newcomer runs it: `bin/sekisho.js serve`, nothing configured. */
export interface Demo {
  readonly child: ChildProcess;
  /** Everything it printed so far on stdout (log lines and the welcome), and on stderr. */
  stdout(): string;
  stderr(): string;
  /** Where it listens, once it listens and has printed its welcome (the last step of its start). */
  readonly ready: Promise<{ url: string; port: number }>;
  readonly exited: Promise<Exit>;
}

/**
 * Starts the demo the way `npm start` does (`bin/sekisho.js serve` in `root`: the project, or a
 * build laid out as the image), with nothing in its environment but PATH, `PORT=0` and a state
 * directory of its own, so that it neither takes a port someone else uses nor touches the state
 * of a demo a developer may be running.
 */
export function launchDemo(stateDir: string, root: string = projectRoot): Demo {
  const child = spawn(process.execPath, ['bin/sekisho.js', 'serve'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', PORT: '0', SEKISHO_DEMO_STATE_DIR: stateDir },
    // Its standard input is the newcomer's keyboard: Enter shows the welcome again.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const ready = new Promise<{ url: string; port: number }>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      const port = /^ +Open: +http:\/\/127\.0\.0\.1:(\d+)\/portal\/$/m.exec(stdout)?.[1];
      if (port && /^ {2}Stop: /m.test(stdout))
        resolve({ url: `http://127.0.0.1:${port}`, port: Number(port) });
    });
    void exited.then((exit) =>
      reject(new Error(`the demo exited (${exit.code ?? exit.signal}) before it was ready: ${stderr}`)),
    );
  });
  return { child, stdout: () => stdout, stderr: () => stderr, ready, exited };
}

/** The value printed after `label` in the welcome (`    User ID:   demo`). */
export function welcomeValue(stdout: string, label: string): string {
  const value = new RegExp(`^ +${label}: +(\\S+)`, 'm').exec(stdout)?.[1];
  if (!value) throw new Error(`the welcome prints no "${label}:"`);
  return value;
}
