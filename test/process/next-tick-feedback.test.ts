import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/front-proxy.ts';
import { request } from '../support/gateway.ts';
import { printedAfterExit, spawnPrintingToFile, tickKeyFeedback } from '../support/next-tick-feedback.ts';
import { writeServerConfig, type ServerFixture } from '../support/server-process.ts';
import { waitFor } from '../support/wait-for.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const onSignal = fileURLToPath(new URL('../fixtures/next-tick-feedback-on-signal.mjs', import.meta.url));

let fixture: ServerFixture | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await fixture?.cleanup();
  fixture = undefined;
  child = undefined;
});

describe('sekisho serve keeps process.nextTick on its optimised path', () => {
  it('after full collections that run with no tick queued, every tick object still gets the same maps', async () => {
    // A port chosen here: stdout is a file (V8's printing), so the listening line is not read from a pipe.
    const port = await freePort();
    fixture = writeServerConfig({ listen: { host: '127.0.0.1', port } });
    const stdout = join(dirname(fixture.file), 'stdout');
    const natives = ['--allow-natives-syntax', '--expose-gc', '--import', onSignal];
    child = spawnPrintingToFile([...natives, main, 'serve', '--config', fixture.file], stdout);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => (await request(`${url}/_sekisho/healthz`)).statusCode === 200,
      30_000,
      'serving',
    );
    for (const path of ['/_sekisho/login', '/_sekisho/healthz', '/_sekisho/login'])
      expect((await request(`${url}${path}`)).statusCode).toBe(200);

    child.kill('SIGUSR2');
    await waitFor(
      () => readFileSync(stdout, 'utf8').includes('nextTick feedback end'),
      10_000,
      'the feedback',
    );
    child.kill('SIGTERM');
    const states = tickKeyFeedback(await printedAfterExit(child, stdout));
    expect(states).toHaveLength(5);
    expect(states.every((state) => state === 'MONOMORPHIC')).toBe(true);
  });
});
