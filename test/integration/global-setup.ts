import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createLocalEnv } from '../helpers/temporal-env';
import { bundleWorkflowsOnce } from '../helpers/bundle-setup';

/** One real dev server for the integration suite; its address reaches the test files via the environment. */
export default async function globalSetup(): Promise<void> {
  await bundleWorkflowsOnce();
  const env = await createLocalEnv();
  (globalThis as { koersDevServer?: TestWorkflowEnvironment }).koersDevServer = env;
  process.env.KOERS_TEST_TEMPORAL_ADDRESS = env.address;
}
