// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';

/**
 * The layers of src/, lowest first. Imports point down this list only (a feature never imports
 * another feature); `no-restricted-paths` enforces it, `no-cycle` forbids import cycles.
 * See docs/architecture.md.
 */
const entryPoints = [
  'app.ts',
  'gateway-runtime.ts',
  'server.ts',
  'plugins-registry.ts',
  'cli',
  'demo',
  'doctor',
];
const features = ['admin', 'authz', 'login', 'me', 'operations', 'push'];
const above = (...names) => names.map((name) => `./src/${name}`);
const layerZones = [
  {
    target: './src/domain',
    from: './src',
    except: ['./domain'],
    message: 'domain/ is pure: it imports nothing else of src/.',
  },
  {
    target: './src/ports',
    from: './src',
    except: ['./ports', './domain', './config/schema.ts', './plugin-api.ts'],
    message: 'ports/ are interfaces over domain types.',
  },
  {
    target: './src/metrics',
    from: './src',
    except: ['./metrics', './ports'],
    message: 'metrics/ depends on ports/ only.',
  },
  {
    target: './src/config',
    from: './src',
    except: ['./config', './domain', './ports'],
    message: 'config/ depends on domain/ and ports/ only.',
  },
  {
    target: './src/adapters',
    from: above('core', 'pipeline', 'web', 'proxy', 'features', ...entryPoints),
    message: 'adapters/ implement ports/; they know no service, page or feature.',
  },
  {
    target: './src/core',
    from: above('adapters', 'pipeline', 'web', 'proxy', 'features', ...entryPoints),
    message: 'core/ runs on ports/: no adapter, no HTTP.',
  },
  {
    target: './src/pipeline',
    from: above('adapters', 'web', 'proxy', 'features', ...entryPoints),
    message: 'pipeline/ decides; it knows no carrier, page or adapter.',
  },
  {
    target: './src/web',
    from: above('adapters', 'pipeline', 'proxy', 'features', ...entryPoints),
    message: 'web/ is the page kit every feature uses; it knows no feature.',
  },
  {
    target: './src/proxy',
    from: above('adapters', 'features', ...entryPoints),
    message: 'proxy/ (the carriers) knows no feature.',
  },
  {
    target: './src/plugin-api.ts',
    from: above('adapters', 'pipeline', 'proxy', 'features', ...entryPoints),
    message: 'The plugin API is types and small helpers over core/ and web/.',
  },
  ...features.flatMap((name) => [
    {
      target: `./src/features/${name}`,
      from: './src/features',
      except: [`./${name}`],
      message: 'A feature never imports another feature.',
    },
    {
      target: `./src/features/${name}`,
      from: above('adapters', 'proxy', ...entryPoints),
      message:
        'A feature imports core/, web/, ports/ and domain/, not an adapter, a carrier or the composition root.',
    },
  ]),
];

export default tseslint.config(
  { ignores: ['node_modules/', 'coverage/', 'docs/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // The layers (above), on production code; tests may reach across them.
    files: ['src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver()],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // The domain layer is pure: no framework, database or Redis imports.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['fastify*', '@fastify/*', 'pg', 'ioredis', 'undici', '**/adapters/**'] },
      ],
    },
  },
  {
    // Plugins are self-contained: they may import only the public plugin API from src/.
    files: ['plugins/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+src/(?!plugin-api\\.ts$)',
              message: 'Plugins import only src/plugin-api.ts from the core.',
            },
          ],
        },
      ],
    },
  },
  {
    // Scripts the gateway's pages load in the browser (and the authenticator's service worker).
    files: ['views/static/**/*.js'],
    languageOptions: { globals: { ...globals.browser, ...globals.serviceworker } },
  },
  {
    files: ['src/cli/**/*.ts', 'bench/**/*.ts', 'src/demo/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
