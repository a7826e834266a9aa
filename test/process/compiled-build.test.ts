import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type FakeBackend, type SeenRequest } from '../support/backend.ts';
import { FormClient } from '../support/browser-client.ts';
import { runSekisho } from '../support/cli.ts';
import { request } from '../support/gateway.ts';
import {
  killIfRunning,
  startServerProcess,
  writeServerConfig,
  type ServerFixture,
  type ServerProcess,
} from '../support/server-process.ts';

const run = promisify(execFile);

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}
const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The container image runs the gateway compiled (Dockerfile: `tsc -p tsconfig.build.json`, the
 * .js files put beside views/, templates and migrations). This lays out the same image in a
 * temporary directory — with every .ts file left out, so nothing can fall back to the sources —
 * and runs its `sekisho` command for real.
 */
describe('the compiled build, laid out as the container image', () => {
  let image: string;
  let backend: FakeBackend;
  let fixture: ServerFixture;
  let server: ServerProcess | undefined;
  const password = 'compiled-build-pass-1';

  async function sekisho(args: string[], stdin?: string) {
    const result = await runSekisho(args, { entry: join(image, 'bin', 'sekisho.js'), stdin });
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  }

  beforeAll(async () => {
    image = mkdtempSync(join(tmpdir(), 'sekisho-image-'));
    const build = join(image, '.build');
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', build], { cwd: root });
    // As the Dockerfile lays it out: src/ only as compiled; plugins/ as compiled plus their
    // templates; views/, migrations/, bin/ and package.json as they are.
    cpSync(join(build, 'src'), join(image, 'src'), { recursive: true });
    cpSync(join(build, 'plugins'), join(image, 'plugins'), { recursive: true });
    cpSync(join(root, 'plugins'), join(image, 'plugins'), {
      recursive: true,
      filter: (source) => !source.endsWith('.ts'),
    });
    for (const part of ['views', 'migrations', 'bin', 'package.json']) {
      cpSync(join(root, part), join(image, part), { recursive: true });
    }
    rmSync(build, { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(image, 'node_modules'), 'dir');

    backend = await startBackend();
    fixture = writeServerConfig({ backends: { app: { url: backend.url } } });
    await sekisho(['rule', 'set', '/app/=ALL;;', '--config', fixture.file]);
    await sekisho(['user', 'add', 'hanako', '--password-stdin', '--config', fixture.file], `${password}\n`);
    server = await startServerProcess(fixture.file, 1, { entry: join(image, 'bin', 'sekisho.js') });
  }, 180_000);

  afterAll(async () => {
    await killIfRunning(server);
    await backend?.close();
    await fixture?.cleanup();
    if (image) rmSync(image, { recursive: true, force: true });
  });

  it('holds no TypeScript, and its code imports only production dependencies', () => {
    const files = readdirSync(image, { recursive: true, encoding: 'utf8' }).filter(
      (f) => !f.startsWith('node_modules'),
    );
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files).toContain(join('src', 'cli', 'main.js'));
    // The image installs `npm ci --omit=dev`: a development package imported at run time would be missing.
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const imported = new Set<string>();
    for (const file of files.filter((f) => /^(src|plugins|bin)\//.test(f) && f.endsWith('.js'))) {
      const code = readFileSync(join(image, file), 'utf8');
      const specifiers = [
        ...code.matchAll(/^(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]/gm),
        ...code.matchAll(/^import\s*['"]([^'"]+)['"]/gm),
        ...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
      ].map((match) => match[1] ?? '');
      for (const specifier of specifiers) {
        if (!/^[./]/.test(specifier) && !specifier.startsWith('node:')) imported.add(packageName(specifier));
      }
    }
    expect(imported.size).toBeGreaterThan(5);
    expect([...imported].filter((name) => !(name in manifest.dependencies))).toEqual([]);
  });

  it('serves health, the login page (templates, messages, static files) and a login to the backend', async () => {
    if (!server) throw new Error('no server');
    expect((await request(`${server.url}/_sekisho/healthz`)).statusCode).toBe(200);
    const page = await request(`${server.url}/_sekisho/login`, { headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(await page.body.text()).toContain('name="_csrf"');
    expect((await request(`${server.url}/_sekisho/static/sekisho.css`)).statusCode).toBe(200);

    const client = new FormClient(server.url);
    expect((await client.login('hanako', password, '/app/')).status).toBe(303);
    const proxied = await client.get('/app/page');
    expect(proxied.status).toBe(200);
    const seen = JSON.parse(proxied.body) as SeenRequest;
    expect(seen.url).toBe('/page');
    expect(seen.headers['x-remote-user']).toBe('hanako');
  });
});
