/** The cluster test (`npm run test:cluster`): Koers on the Temporal server on PostgreSQL started by
 * scripts/temporal-cluster.sh. Apart from `npm test` because it starts its own cluster and takes minutes. */
module.exports = {
  testTimeout: 600_000,
  forceExit: true,
  projects: [
    {
      displayName: 'cluster',
      transform: { '^.+\\.ts$': ['@swc/jest'] },
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
    },
  ],
};
