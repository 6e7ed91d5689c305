import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflows } from '../../worker';

/** Bundles the workflow code once per test run; every test file's worker loads it from disk. */
export async function bundleWorkflowsOnce(): Promise<void> {
  if (process.env.KOERS_TEST_WORKFLOW_BUNDLE) return;
  const bundle = await bundleWorkflows();
  const file = path.join(os.tmpdir(), `koers-workflow-bundle-${process.pid}.js`);
  fs.writeFileSync(file, 'code' in bundle ? bundle.code : '');
  process.env.KOERS_TEST_WORKFLOW_BUNDLE = file;
}

/** The bundle written by the global setup (or a fresh one when a file runs on its own). */
export async function testWorkflowBundle(): Promise<{ codePath: string } | { code: string }> {
  const file = process.env.KOERS_TEST_WORKFLOW_BUNDLE;
  if (file) return { codePath: file };
  const bundle = await bundleWorkflows();
  return { code: 'code' in bundle ? bundle.code : '' };
}
