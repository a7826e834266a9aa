/**
 * The compose files must stay valid: `docker-compose config -q` on each one, plus the gateway config
 * that docker-compose.yml mounts must pass Sekisho's own validation. Requires the `docker-compose`
 * binary (Debian package `docker-compose`); without it the test fails instead of skipping, so that a
 * broken compose file cannot slip through a CI machine that lacks it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COMPOSE_NAME = /^(docker-compose.*|compose(\..+)?)\.ya?ml$/;
const MISSING =
  'the docker-compose binary is not installed: run `apt-get install docker-compose` (Debian) to run this test';

/** Compose files at the repository root and anywhere under deploy/. */
function composeFiles(): string[] {
  const found = readdirSync(ROOT, { withFileTypes: true })
    .filter((e) => e.isFile() && COMPOSE_NAME.test(e.name))
    .map((e) => join(ROOT, e.name));
  const deploy = join(ROOT, 'deploy');
  if (existsSync(deploy)) {
    for (const e of readdirSync(deploy, { withFileTypes: true, recursive: true })) {
      if (e.isFile() && COMPOSE_NAME.test(e.name)) found.push(join(e.parentPath, e.name));
    }
  }
  return found.sort();
}

/** Runs docker-compose; throws a clear error when the binary is missing. */
function dockerCompose(args: string[]): string {
  try {
    return execFileSync('docker-compose', args, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { status?: number | null; stderr?: string };
    if (e.code === 'ENOENT') throw new Error(MISSING, { cause: err });
    const detail = e.stderr?.trim() ?? '';
    throw new Error(`docker-compose ${args.join(' ')} exited ${e.status ?? e.code}: ${detail}`, {
      cause: err,
    });
  }
}

const files = composeFiles();

describe('compose files', () => {
  it('docker-compose is installed', () => {
    expect(dockerCompose(['version'])).toMatch(/docker-compose version|Docker Compose/i);
  });

  it('there is at least the root docker-compose.yml', () => {
    expect(files.map((f) => relative(ROOT, f))).toContain('docker-compose.yml');
  });

  it.each(files.map((f) => [relative(ROOT, f), f]))('%s passes `docker-compose config -q`', (_name, file) => {
    // Throws, with docker-compose's own message, when the file is invalid or the binary is missing.
    dockerCompose(['-f', file, 'config', '-q']);
  });

  it('deploy/sekisho.compose.yaml is a valid Sekisho config', () => {
    const result = loadConfig({
      file: join(ROOT, 'deploy/sekisho.compose.yaml'),
      env: { SEKISHO_SECRET_FILE: join(ROOT, 'deploy/secrets/sekisho_secret.example') },
    });
    expect(result.ok ? [] : result.errors).toEqual([]);
    expect(result.ok && result.demo).toBe(false);
  });
});
