import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { garbageCollectorFlags } from '../src/heap-tuning.ts';
import { deployedEnv, deployedNodeArgs } from './deployed-env.ts';

describe('the memory settings the bench takes from the Dockerfile', () => {
  it('reads the ENV instruction of the real Dockerfile, continuation lines included', () => {
    expect(deployedEnv()).toEqual({
      MALLOC_ARENA_MAX: '2',
      MALLOC_MMAP_THRESHOLD_: '131072',
      MALLOC_TRIM_THRESHOLD_: '131072',
      NODE_OPTIONS: '--max-semi-space-size=8',
    });
  });

  it('takes only memory tuning, from every ENV instruction', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sekisho-dockerfile-'));
    const file = join(dir, 'Dockerfile');
    await writeFile(
      file,
      'FROM x\nENV TZ=Asia/Tokyo MALLOC_ARENA_MAX=4\nRUN true\nenv NODE_OPTIONS=--a \\\n  SECRET=1\n',
    );
    try {
      expect(deployedEnv(pathToFileURL(file))).toEqual({ MALLOC_ARENA_MAX: '4', NODE_OPTIONS: '--a' });
      await writeFile(file, 'ENV NODE_OPTIONS="--a --b"\n');
      expect(() => deployedEnv(pathToFileURL(file))).toThrow(/NODE_OPTIONS: quoted values/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it("reads the V8 flags the image puts on Node's command line: those sekisho serve would set", async () => {
    expect(deployedNodeArgs()).toEqual(['--no-allocation-site-pretenuring', '--heap-growing-percent=30']);
    expect(deployedNodeArgs()).toEqual(garbageCollectorFlags([]));
    const dir = await mkdtemp(join(tmpdir(), 'sekisho-dockerfile-'));
    const file = join(dir, 'Dockerfile');
    try {
      await writeFile(file, 'FROM x\nENTRYPOINT ["node", "src/cli/main.js"]\nCMD ["serve"]\n');
      expect(deployedNodeArgs(pathToFileURL(file))).toEqual([]);
      await writeFile(file, 'FROM x\nENTRYPOINT ["tini", "--", "node", "main.js"]\n');
      expect(() => deployedNodeArgs(pathToFileURL(file))).toThrow(/runs tini, not node/);
      await writeFile(file, 'FROM x\nENTRYPOINT node main.js\n');
      expect(() => deployedNodeArgs(pathToFileURL(file))).toThrow(/exec form/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
