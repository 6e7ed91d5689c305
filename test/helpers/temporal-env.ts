import { TestWorkflowEnvironment } from '@temporalio/testing';
import { testServerPath, temporalCliPath } from '../../platform/tools';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { journeySearchAttributes } from '../../platform/search-attributes';
import { testDataConverter } from './codec';

/**
 * The Java time-skipping test server from Maven Central, via the wrapper the install step wrote,
 * with Koers's search attributes registered as on every real server.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerPath() } },
    client: { dataConverter: testDataConverter },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(journeySearchAttributes.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!])),
  });
  return env;
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
    client: { dataConverter: testDataConverter },
  });
}
