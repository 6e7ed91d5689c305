import { TestWorkflowEnvironment } from '@temporalio/testing';
import { testServerPath, temporalCliPath } from '../../platform/tools';
import { journeySearchAttributes } from '../../platform/search-attributes';

/** The Java time-skipping test server from Maven Central, via the wrapper the install step wrote. */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerPath() } },
  });
}

/** The real dev server (the Temporal CLI built by the install step), with visibility and search attributes. */
export function createLocalEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      searchAttributes: [...journeySearchAttributes],
      log: { format: 'json', level: 'warn' },
    },
  });
}
