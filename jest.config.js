/**
 * Jest projects:
 *  - unit: specs beside the code (fast, no servers)
 *  - api:  the real portal/relay on real PostgreSQL and real sockets (test/api, test/relay, test/agent)
 *  - service: one Nest module on a fresh real PostgreSQL database, called without HTTP
 *    (test/service, built by test/support/service-module.ts): the race-guarded transitions
 *  - browser: real Chromium, Xvfb and x11vnc against the real stack (npm run test:e2e): the
 *    browser suites and the *.system-spec.ts suites that need a real X display and VNC server
 * Jest runs with --experimental-vm-modules (see package.json), so ESM-only packages (NestJS 12, jose)
 * load natively through require(esm); node_modules is never transformed.
 */
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json', diagnostics: false }];
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  transformIgnorePatterns: ['/node_modules/'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  // noVNC's DES for the agent's VNC Authentication; the package's "exports" hide it (see agent/build.mjs).
  moduleNameMapper: {
    '^@novnc/novnc/core/crypto/des\\.js$': '<rootDir>/node_modules/@novnc/novnc/core/crypto/des.js',
  },
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      setupFilesAfterEnv: ['<rootDir>/test/support/default-timeout.ts'],
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
      setupFilesAfterEnv: ['<rootDir>/test/support/default-timeout.ts'],
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'service',
      setupFilesAfterEnv: ['<rootDir>/test/support/default-timeout.ts'],
      testMatch: ['<rootDir>/test/service/**/*.service-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'browser',
      testMatch: [
        '<rootDir>/test/browser/**/*.browser-spec.ts',
        '<rootDir>/{test,agent,src}/**/*.system-spec.ts',
      ],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
