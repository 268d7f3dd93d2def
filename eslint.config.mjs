// @ts-check
import tseslint from 'typescript-eslint';
import moduleSurface from './eslint/module-surface.mjs';

/** How deep below a top-level folder the boundary rules look (agent/src/remote-help/x.ts is depth 3). */
const BOUNDARY_DEPTH = 12;

/**
 * `no-restricted-imports` blocks for the files under the top-level folder `top`: an import whose
 * relative path climbs exactly to the repository root (`../` once per folder level of the importing
 * file) and enters one of `folders` is an error. Counting the levels keeps `agent/src/x.ts` free to
 * reach `agent/src/` itself while `../../src/` from there (the portal) is refused.
 * @param {string} top
 * @param {string[]} folders
 * @param {string} message
 */
function boundary(top, folders, message) {
  return Array.from({ length: BOUNDARY_DEPTH }, (_, level) => ({
    files: [`${top}/${'*/'.repeat(level)}*`],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: `^(\\.\\./){${level + 1}}(${folders.join('|')})(/|$)`, message }] },
      ],
    },
  }));
}

/**
 * The files directly in `folder` (specs aside) stay free of Node: no `node:*` import, no import of
 * contracts/node/ (`nodeDir`, as those files spell it), no `Buffer` or `process` global. `block` is
 * that folder's level of {@link boundary}; its patterns are repeated because a later block replaces a
 * rule's options rather than merging them.
 * @param {string} folder
 * @param {ReturnType<typeof boundary>[number]} block
 * @param {string} nodeDir
 * @param {string} message
 */
function pureFolder(folder, block, nodeDir, message) {
  const [, { patterns }] = /** @type {[string, { patterns: object[] }]} */ (
    block.rules['no-restricted-imports']
  );
  return [
    {
      files: [`${folder}/*.ts`],
      ignores: [`${folder}/*.spec.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          { patterns: [...patterns, { regex: `^(node:|${nodeDir.replace(/\./g, '\\.')}(/|$))`, message }] },
        ],
        'no-restricted-globals': ['error', { name: 'Buffer', message }, { name: 'process', message }],
      },
    },
  ];
}

const CONTRACTS_BOUNDARY = boundary(
  'contracts',
  ['src', 'relay', 'agent', 'client'],
  'contracts/ is imported by every side and imports none of them.',
);

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
  // Module boundaries (STYLE.md): the relay and the agent are separate processes and never import the
  // portal; contracts/ is imported by every side, so it imports none of them; the dashboard runs in a
  // browser (test/unit/lint-boundaries.spec.ts proves each rule fires).
  ...boundary('relay', ['src'], 'The relay runs without the portal: share through contracts/.'),
  ...boundary('agent', ['src'], 'The agent runs without the portal: share through contracts/.'),
  ...CONTRACTS_BOUNDARY,
  ...boundary(
    'client',
    ['src', 'relay', 'agent', 'contracts/node'],
    'The dashboard runs in a browser: share through the pure contracts/ modules (not contracts/node/).',
  ),
  // Inside the portal, a module reaches another only through what that module exports
  // (eslint/module-surface.mjs lists each module's public files).
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.spec.ts'],
    plugins: { local: moduleSurface },
    rules: { 'local/module-surface': 'error' },
  },
  // The top of contracts/ is pure (types, constants, parsers) so the browser can import it; what needs
  // Node (node:crypto, node:http, Buffer, the file system) lives in contracts/node/. contracts/api/ (the
  // HTTP API's shapes, read by the portal's DTOs and the dashboard) is pure the same way.
  ...pureFolder(
    'contracts',
    CONTRACTS_BOUNDARY[0],
    './node',
    'The top of contracts/ runs in browsers too: Node-only code goes in contracts/node/.',
  ),
  ...pureFolder(
    'contracts/api',
    CONTRACTS_BOUNDARY[1],
    '../node',
    'contracts/api/ runs in browsers too: API shapes are types, lists and limits, nothing Node-only.',
  ),
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
