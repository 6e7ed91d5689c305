/**
 * Prints the OpenAPI document (JSON) without starting anything: the app is built with a lazy
 * Temporal connection that is never used, because the document comes from the route definitions.
 * `npm run openapi:types` feeds it to openapi-typescript for the committed client types.
 */
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../api/app';
import { ApiKeys } from '../api/auth';
import type { AuditStore } from '../api/audit-store';
import { Identity } from '../api/identity';
import type { CalendarTokens } from '../store/ical';
import type { TaskStore } from '../store/tasks';
import type { PersonIndex } from '../store/persons';
import type { JourneyReadModel } from '../store/journeys';
import type { PolicyVersions } from '../store/policies';
import type { StaffDirectory } from '../staff/directory';
import type { JourneySignals } from '../store/journey-signals';
import type { StoredProcessingLog } from '../processing-log';

const unused = <T>(what: string): T =>
  new Proxy({}, { get: () => { throw new Error(`${what} is not available while printing the document`); } }) as T;

const app = createApp({
  client: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
  taskQueue: 'openapi-document',
  keys: new ApiKeys([]),
  identity: new Identity('openapi-document-secret-0123456789-abcdef'),
  logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  tasks: unused<TaskStore>('the task store'),
  audit: unused<AuditStore>('the audit trail'),
  persons: unused<PersonIndex>('the person index'),
  journeys: unused<JourneyReadModel>('the journeys read model'),
  policies: unused<PolicyVersions>('the policy versions'),
  staff: unused<StaffDirectory>('the staff directory'),
  journeySignals: unused<JourneySignals>('the journey signals'),
  processingLog: unused<StoredProcessingLog>('the processing log'),
  calendar: { tokens: unused<CalendarTokens>('calendar tokens'), publicUrl: 'http://127.0.0.1' },
});
process.stdout.write(`${JSON.stringify(app.koers.document, null, 2)}\n`);
process.exit(0);
