// Three projects: pure unit tests run without a database; integration tests use a real Neo4j per jest worker; the
// integration files that stop, freeze or restart a Neo4j, or wait on a clock (a lease heartbeat, a stall deadline),
// run one at a time with nothing beside them (`integration-serial`, test/setup/serial-runner.ts).
// ts-jest transpiles only (isolatedModules in tsconfig.json): types are checked once by `npm run typecheck`, not per test file.
const os = require('node:os');

const transform = {
  '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }],
};

// Files whose assertions depend on the machine keeping up with a clock: a second test file on the other core made
// them time out on this loaded two-core machine. jest runs them in band, in their own phase.
const SERIAL = ['api-recovery', 'api-stall', 'api-switch-restart', 'import-recovery', 'localdb', 'similarity-lease'];
const serialFile = (name) => `/test/integration/${name}\\.int\\.test\\.ts$`;

const integration = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/integration'],
  transform,
  // One Neo4j per worker, so no two files ever share a database (each file resets its own worker's server). Both
  // integration projects name the same setup files, which jest runs once per run.
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  setupFiles: ['<rootDir>/test/setup/worker-neo4j.ts'],
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 180000,
  // Workers: TEST_WORKERS, by default two (or one on a one-core machine): three full passes in a row on two workers
  // (README, Testing). Each worker gets a Neo4j of its own (test/setup/global-setup.ts), which isolates files without
  // per-file labels in production code; a server the developer points the tests at (TEST_NEO4J_URI) is one database,
  // so its files always run one at a time.
  maxWorkers:
    process.env.TEST_NEO4J_URI !== undefined
      ? 1
      : Math.max(1, Number(process.env.TEST_WORKERS ?? Math.min(2, os.availableParallelism())) || 1),
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
      ...integration,
      testMatch: ['**/*.int.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...SERIAL.map(serialFile)],
    },
    {
      displayName: 'integration-serial',
      ...integration,
      testMatch: SERIAL.map((name) => `**/${name}.int.test.ts`),
      runner: '<rootDir>/test/setup/serial-runner.ts',
    },
  ],
};
