// Two projects: pure unit tests run without a database; integration tests use a real Neo4j per jest worker.
// ts-jest transpiles only (isolatedModules in tsconfig.json): types are checked once by `npm run typecheck`, not per test file.
const transform = {
  '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }],
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 180000,
  // One worker unless TEST_WORKERS says more. Integration test files reset their database, so each worker gets a Neo4j
  // of its own (test/setup/global-setup.ts starts one per worker); a server the developer points the tests at
  // (TEST_NEO4J_URI) is one database, so its files always run one at a time. Two workers were not a clear gain on a
  // loaded two-core machine, and made the tests that freeze or restart their own Neo4j under load time out (README).
  maxWorkers: process.env.TEST_NEO4J_URI !== undefined ? 1 : Math.max(1, Number(process.env.TEST_WORKERS ?? 1) || 1),
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
      setupFiles: ['<rootDir>/test/setup/worker-neo4j.ts'],
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
};
