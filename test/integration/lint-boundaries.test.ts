import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/project-root.ts';

/**
 * The layering of src/ is a lint rule, not a hope: each import below, written into a file of
 * that layer, fails `npm run lint` with the rule that forbids it (the files are linted as text,
 * never written). The allowed direction passes.
 */
describe('lint enforces the layers of src/', () => {
  const eslint = new ESLint({ cwd: projectRoot });

  async function problems(file: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: `${projectRoot}/${file}` });
    return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
  }

  it.each([
    [
      'src/core/probe.ts',
      "import { Argon2Hasher } from '../adapters/argon2-hasher.ts';\nexport const x = Argon2Hasher;\n",
    ],
    [
      'src/features/me/probe.ts',
      "import { adminRoutes } from '../admin/routes.ts';\nexport const x = adminRoutes;\n",
    ],
    [
      'src/features/login/probe.ts',
      "import { Proxying } from '../../proxy/proxy.ts';\nexport const x = Proxying;\n",
    ],
    [
      'src/web/probe.ts',
      "import { loginRoutes } from '../features/login/login-routes.ts';\nexport const x = loginRoutes;\n",
    ],
    [
      'src/domain/probe.ts',
      "import { SessionService } from '../core/session-service.ts';\nexport const x = SessionService;\n",
    ],
    ['src/pipeline/probe.ts', "import { sendPage } from '../web/pages.ts';\nexport const x = sendPage;\n"],
    ['src/proxy/probe.ts', "import { buildApp } from '../app.ts';\nexport const x = buildApp;\n"],
  ])('%s may not import that', async (file, code) => {
    expect(await problems(file, code)).toEqual([
      expect.stringMatching(/^import-x\/no-restricted-paths: Unexpected path/),
    ]);
  });

  it('a plugin imports only the plugin API from src/', async () => {
    const found = await problems(
      'plugins/smsotp/probe.ts',
      "import { SessionService } from '../../src/core/session-service.ts';\nexport const x = SessionService;\n",
    );
    expect(found).toEqual([expect.stringMatching(/^no-restricted-imports: .*plugin-api/)]);
  });

  it('the allowed direction passes: a feature uses core/ and web/', async () => {
    expect(
      await problems(
        'src/features/me/probe.ts',
        "import { SessionService } from '../../core/session-service.ts';\nimport { sendPage } from '../../web/pages.ts';\nexport const x = [SessionService, sendPage];\n",
      ),
    ).toEqual([]);
  });
});
