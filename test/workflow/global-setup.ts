import { bundleWorkflowsOnce } from '../helpers/bundle-setup';

export default async function globalSetup(): Promise<void> {
  await bundleWorkflowsOnce();
}
