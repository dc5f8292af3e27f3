/** Type checking is done once by `tsc --noEmit` in `npm test`; ts-jest only transpiles. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': 'ts-jest' },
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
  testTimeout: 120000,
};
