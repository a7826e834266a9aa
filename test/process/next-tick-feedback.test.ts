import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/front-proxy.ts';
import { request } from '../support/gateway.ts';
import {
  printedAfterExit,
  spawnPrintingToFile,
  tickKeyFeedback,
  type PrintingProcess,
} from '../support/next-tick-feedback.ts';
import { killIfRunning, writeServerConfig, type ServerFixture } from '../support/server-process.ts';
import { waitFor } from '../support/wait-for.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const onSignal = fileURLToPath(new URL('../fixtures/next-tick-feedback-on-signal.mjs', import.meta.url));

let fixture: ServerFixture | undefined;
let server: PrintingProcess | undefined;

afterEach(async () => {
  await killIfRunning(server);
  await fixture?.cleanup();
  fixture = undefined;
  server = undefined;
});

/** `check` retried until it holds, or the process's exit (with its stderr) if that comes first. */
async function whileRunning(run: PrintingProcess, check: () => Promise<number>): Promise<void> {
  const exited = run.exited.then(({ code, stderr }) => {
    throw new Error(`sekisho serve exited (${code}): ${stderr}`);
  });
  await Promise.race([check(), exited]);
}

describe('sekisho serve keeps process.nextTick on its optimised path', () => {
  it('after full collections that run with no tick queued, every tick object still gets the same maps', async () => {
    // A port chosen here: stdout is a file (V8's printing), so the listening line is not read from a pipe.
    const port = await freePort();
    fixture = writeServerConfig({ listen: { host: '127.0.0.1', port } });
    const stdout = join(dirname(fixture.file), 'stdout');
    const natives = ['--allow-natives-syntax', '--expose-gc', '--import', onSignal];
    const run = spawnPrintingToFile([...natives, main, 'serve', '--config', fixture.file], stdout);
    server = run;
    const url = `http://127.0.0.1:${port}`;
    const serving = async () => (await request(`${url}/_sekisho/healthz`)).statusCode === 200;
    await whileRunning(run, () => waitFor(serving, 30_000, 'serving'));
    for (const path of ['/_sekisho/login', '/_sekisho/healthz', '/_sekisho/login'])
      expect((await request(`${url}${path}`)).statusCode).toBe(200);

    run.child.kill('SIGUSR2');
    const printed = () => readFileSync(stdout, 'utf8').includes('nextTick feedback end');
    await whileRunning(run, () => waitFor(printed, 10_000, 'the feedback'));
    run.child.kill('SIGTERM');
    expect(tickKeyFeedback(await printedAfterExit(run))).toEqual(Array(5).fill('MONOMORPHIC'));
  });
});
