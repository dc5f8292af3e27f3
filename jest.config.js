/** Type checking is done once by `tsc --noEmit` in `npm test`; ts-jest only transpiles. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': 'ts-jest' },
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
  testTimeout: 120000,
  // One folder per run, where the demo app is synthesized once for all tests (test/demo-assembly.ts).
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};
