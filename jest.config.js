/** Three kinds of test, one runner: pure unit tests, workflow tests on the time-skipping
 * test server, and integration tests against a real dev server started by the global setup. */
const transform = { '^.+\\.ts$': ['@swc/jest'], '/node_modules/(bpmn-moddle|bpmn-auto-layout|moddle|moddle-xml|min-dash|saxen|openid-client|oauth4webapi|jose)/.+\\.js$': ['@swc/jest'] };
// The BPMN libraries (web/process/) and openid-client (identity/oidc.ts) are ES modules only: Node ≥ 20.19 requires them as they are, jest needs them compiled.
const transformIgnorePatterns = ['/node_modules/(?!(bpmn-moddle|bpmn-auto-layout|moddle|moddle-xml|min-dash|saxen|openid-client|oauth4webapi|jose)/)'];
module.exports = {
  testTimeout: 120_000,
  // The API test harness leaves no JS handle open (checked with process._getActiveHandles), yet the
  // process lingers after its suites, held by a native thread; exit once every test has reported.
  forceExit: true,
  projects: [
    { displayName: 'unit', transform, transformIgnorePatterns, testEnvironment: 'node', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      displayName: 'workflow',
      transform,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/workflow/**/*.test.ts'],
      globalSetup: '<rootDir>/test/workflow/global-setup.ts',
      setupFiles: ['<rootDir>/test/helpers/quiet-runtime.ts'],
    },
    {
      displayName: 'integration',
      transform,
      transformIgnorePatterns,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      setupFiles: ['<rootDir>/test/helpers/quiet-runtime.ts'],
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
    },
  ],
};
