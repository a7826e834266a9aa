import { execFile, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { GeneratorOptions, GeneratorResult } from './generator.ts';

const run = promisify(execFile);

/** One load round's outcome. Latencies in ms. */
export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** Socket errors, timeouts and non-2xx answers. */
  readonly errors: number;
  readonly requests: number;
}

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Command prefix that pins the generator to its core, e.g. ['taskset', '-c', '1']. */
  readonly pin: readonly string[];
}

export function findWrk(): string | null {
  for (const path of ['/usr/bin/wrk', '/usr/local/bin/wrk']) if (existsSync(path)) return path;
  return null;
}

/** Runs wrk when installed, else autocannon in its own (pinned) process. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const wrk = findWrk();
  return wrk ? runWrk(wrk, options) : runAutocannon(options);
}

async function runWrk(wrk: string, options: LoadOptions): Promise<LoadResult> {
  const headerArgs = Object.entries(options.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency', ...headerArgs];
  const [command = wrk, ...rest] = [...options.pin, wrk, ...args, options.url];
  const { stdout } = await run(command, rest, { maxBuffer: 1 << 20 });
  return parseWrk(stdout);
}

/** wrk's text report: `Requests/sec`, the latency distribution, error lines. */
export function parseWrk(text: string): LoadResult {
  const number = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    p50: latency(/\s50%\s+([\d.]+)(us|ms|s)\b/.exec(text)),
    p99: latency(/\s99%\s+([\d.]+)(us|ms|s)\b/.exec(text)),
    errors: socketErrors + number(/Non-2xx or 3xx responses: (\d+)/),
    requests: number(/(\d+) requests in/),
  };
}

function latency(match: RegExpExecArray | null): number {
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

function runAutocannon(options: LoadOptions): Promise<LoadResult> {
  const [execPath = process.execPath, ...prefix] = options.pin;
  const child = fork(new URL('./autocannon-worker.ts', import.meta.url), [JSON.stringify(options)], {
    execPath,
    execArgv: [...prefix, process.execPath],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message as LoadResult));
    child.once('exit', (code) => reject(new Error(`autocannon worker exited with ${code}`)));
  });
}

/** Runs the many-users generator (generator.ts) in its own process, pinned like the other generators. */
export function runGenerator(options: GeneratorOptions, pin: readonly string[]): Promise<GeneratorResult> {
  const [execPath = process.execPath, ...prefix] = pin;
  const child = fork(new URL('./generator-worker.ts', import.meta.url), [], {
    execPath,
    execArgv: pin.length > 0 ? [...prefix, process.execPath] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.send(options);
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message as GeneratorResult));
    child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
  });
}
