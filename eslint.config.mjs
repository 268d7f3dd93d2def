// @ts-check
import tseslint from 'typescript-eslint';
import local from './eslint/plugin.mjs';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      '.angular/**',
      'coverage/**',
      'agent/templates/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
      // The connect page's browser script is plain JS on purpose (served as written); lint reads it.
      '!src/quick-support/connect/client/*.js',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/unbound-method': 'off',
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  // Module boundaries (STYLE.md), judged by the path each import resolves to (eslint/boundaries.mjs):
  // the relay and the agent are separate processes and never import the portal; contracts/ is imported
  // by every side, so it imports none of them; the dashboard runs in a browser and reaches only the pure
  // contracts. test/unit/lint-boundaries.spec.ts proves each rule on deliberate violations.
  { plugins: { local } },
  { files: ['**/*.ts'], rules: { 'local/boundaries': 'error' } },
  // Inside the portal, a module reaches another only through what that module exports
  // (eslint/module-surface.mjs lists each module's public files).
  { files: ['src/**/*.ts'], ignores: ['src/**/*.spec.ts'], rules: { 'local/module-surface': 'error' } },
  // Every refusal the portal answers with is made in its module's errors file (common.errors.ts for the
  // shared libraries), so a code, its status and its sentence have one place to read.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.errors.ts', 'src/**/*.spec.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='DomainError']",
          message:
            "Make refusals in the module's *.errors.ts (src/common/common.errors.ts for the shared libraries) and throw them from there.",
        },
      ],
    },
  },
  // The top of contracts/ and its folders but node/ (api/, agent-protocol/) are pure (types, constants,
  // parsers) so the browser can import them: no Node globals either.
  {
    files: ['contracts/**/*.ts'],
    ignores: ['contracts/node/**', 'contracts/**/*.spec.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['Buffer', 'process', 'require', '__dirname', 'global'].map((name) => ({
          name,
          message:
            'contracts/ outside contracts/node/ runs in browsers too: Node-only code goes in contracts/node/.',
        })),
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.browser-spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
