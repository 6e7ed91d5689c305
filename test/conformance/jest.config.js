/** `npm run test:conformance` only (test/conformance/run.sh): these tests need the running Koers it starts. */
module.exports = {
  rootDir: '../..',
  testTimeout: 60_000,
  forceExit: true,
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/conformance/**/*.test.ts'],
};
