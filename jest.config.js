/**
 * Jest projects:
 *  - unit: specs beside the code (fast, no servers)
 *  - api:  the real portal/relay on real PostgreSQL and real sockets (test/api, test/relay, test/agent)
 *  - browser: real Chromium against the real stack (npm run test:e2e)
 * Jest runs with --experimental-vm-modules (see package.json), so ESM-only packages (NestJS 12, jose)
 * load natively through require(esm); node_modules is never transformed.
 */
const tsJest = [
  'ts-jest',
  { tsconfig: '<rootDir>/tsconfig.spec.json', diagnostics: false },
];
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  transformIgnorePatterns: ['/node_modules/'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/src/**/*.spec.ts',
        '<rootDir>/relay/**/*.spec.ts',
        '<rootDir>/contracts/**/*.spec.ts',
        '<rootDir>/agent/**/*.spec.ts',
        '<rootDir>/test/unit/**/*.spec.ts',
      ],
    },
    {
      ...common,
      displayName: 'api',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
