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
 * The pure files of a folder (those directly in it and in its subfolders other than `node/`, specs
 * aside) stay free of Node: no `node:*` import, no import of the `node/` subfolder, no `Buffer` or
 * `process` global. `levels` are that folder's {@link boundary} blocks; their patterns are repeated
 * because a later block replaces a rule's options rather than merging them.
 * @param {ReturnType<typeof boundary>} levels
 * @param {string} message
 */
function pureFolder(levels, message) {
  const top = levels[0].files[0].replace(/\/\*$/, '');
  /** @param {number} level @param {string[]} files @param {string[]} ignores */
  const pure = (level, files, ignores) => {
    const [, { patterns }] = /** @type {[string, { patterns: object[] }]} */ (
      levels[level].rules['no-restricted-imports']
    );
    const nodeFolder = level === 0 ? '\\./node' : `(\\.\\./){${level}}node`;
    return {
      files,
      ignores,
      rules: {
        'no-restricted-imports': [
          'error',
          { patterns: [...patterns, { regex: `^(node:|${nodeFolder}(/|$))`, message }] },
        ],
        'no-restricted-globals': ['error', { name: 'Buffer', message }, { name: 'process', message }],
      },
    };
  };
  return [
    pure(0, [`${top}/*.ts`], [`${top}/*.spec.ts`]),
    // contracts/agent-protocol/ and any other pure folder; contracts/node/ is where Node is allowed.
    pure(1, [`${top}/*/*.ts`], [`${top}/*/*.spec.ts`, `${top}/node/**`]),
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
  // The top of contracts/ and its folders but node/ (api/, agent-protocol/) are pure (types, constants,
  // parsers) so the browser can import them; what needs Node (node:crypto, node:http, Buffer, the file system) lives in contracts/node/.
  ...pureFolder(
    CONTRACTS_BOUNDARY,
    'contracts/ outside contracts/node/ runs in browsers too: Node-only code goes in contracts/node/.',
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
