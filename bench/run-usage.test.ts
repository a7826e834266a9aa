import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bench = fileURLToPath(new URL('./run.ts', import.meta.url));

describe('npm run bench, asked for its usage or given a wrong option', () => {
  it('--help prints the suites and their options', async () => {
    const { stdout } = await run(process.execPath, [bench, '--help']);
    expect(stdout).toMatch(/^`npm run bench`: /);
    for (const suite of ['`many-users`', '`classic`', '`instructions`']) expect(stdout).toContain(suite);
    expect(stdout).toContain('--targets floor,floor-identity,nginx-auth,gateway,gateway-1');
    expect(stdout).not.toContain(' * ');
  });

  it('a mistyped option is one line naming it, exit code 2', async () => {
    const failed = await run(process.execPath, [bench, '--round', '5']).then(
      () => null,
      (error: unknown) => error as { code: number; stderr: string; stdout: string },
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr.trim()).toBe("bench: Unknown option '--round' (npm run bench -- --help)");
    expect(failed?.stdout).toBe('');
  });
});
