// Two projects: pure unit tests run without a database; integration tests share one real Neo4j per run.
// ts-jest transpiles only (isolatedModules in tsconfig.json): types are checked once by `npm run typecheck`, not per test file.
const transform = {
  '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }],
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 180000,
  // Integration test files share one database and reset it, so files run one at a time.
  maxWorkers: 1,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/unit'],
      testMatch: ['**/*.test.ts'],
      transform,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/integration'],
      testMatch: ['**/*.int.test.ts'],
      transform,
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
};
