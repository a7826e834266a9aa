import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { killIfSame, seeProcess } from './seen-process.ts';

describe('killIfSame', () => {
  it('kills the process it saw, and nothing once the ID no longer names that process', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const pid = child.pid ?? 0;
    const seen = seeProcess(pid);
    expect(seen.startedAt).toMatch(/^\d+$/);

    // Another process under the same ID started at another time: left alone.
    expect(killIfSame({ pid, startedAt: `${Number(seen.startedAt) + 1}` })).toBe(false);
    expect(child.exitCode).toBeNull();

    const exited = once(child, 'exit');
    expect(killIfSame(seen)).toBe(true);
    expect(await exited).toEqual([null, 'SIGKILL']);
    // Gone: nothing to kill, nothing thrown.
    expect(killIfSame(seen)).toBe(false);
    expect(seeProcess(pid).startedAt).toBeNull();
  });
});
