import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRunning } from '../../src/demo/demo-state.ts';
import { projectRoot } from '../../src/project-root.ts';
import { killIfSame, seeProcess, type SeenProcess } from '../support/seen-process.ts';
import { isRefused, type Exit } from '../support/server-process.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * `npm start` itself, as a newcomer's terminal or a service manager runs it: npm, the shell of
 * its script, and the demo. Detached, so that it has a process group of its own, as a job in a
 * terminal does (Ctrl+C signals the whole group).
 */
async function npmStart(stateDir: string) {
  const npm = spawn('npm', ['start'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', PORT: '0', SEKISHO_DEMO_STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise<Exit>((resolve) =>
    npm.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let stdout = '';
  npm.stdout?.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  await waitFor(() => /^ {2}Stop: /m.test(stdout) || npm.exitCode !== null, 60_000, 'the demo’s welcome');
  const state = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as {
    pid: number;
    port: number;
  };
  return { npm, exited, demoPid: state.pid, port: state.port };
}

describe('npm start: a signal reaches the demo, not only npm', () => {
  const dirs: string[] = [];
  const demos: SeenProcess[] = [];
  const stateDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sekisho-npm-start-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    // Only if a test failed midway: the demos this file started, by their IDs.
    for (const demo of demos) killIfSame(demo);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('SIGTERM to npm (a service manager, `kill <npm pid>`) stops the demo: port closed, state removed', async () => {
    const dir = stateDir();
    const { npm, exited, demoPid, port } = await npmStart(dir);
    demos.push(seeProcess(demoPid));
    // npm runs the script in a shell: the demo is a process of its own, not npm.
    expect(demoPid).not.toBe(npm.pid);
    npm.kill('SIGTERM');
    await exited;
    await waitFor(() => !isRunning(demoPid), 15_000, 'the demo process ending');
    expect(await isRefused(port)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('Ctrl+C (SIGINT to the terminal’s process group) stops it the same way', async () => {
    const dir = stateDir();
    const { npm, exited, demoPid, port } = await npmStart(dir);
    demos.push(seeProcess(demoPid));
    process.kill(-(npm.pid ?? 0), 'SIGINT');
    // npm exits 0 or by the signal, depending on which of them takes it first: the demo is what matters.
    await exited;
    await waitFor(() => !isRunning(demoPid), 15_000, 'the demo process ending');
    expect(await isRefused(port)).toBe(true);
    // Removed on its way out: it stopped through its own shutdown, not killed outright.
    expect(readdirSync(dir)).toEqual([]);
  });
});
