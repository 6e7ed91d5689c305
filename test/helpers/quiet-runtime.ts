import { DefaultLogger, Runtime } from '@temporalio/worker';

// Tests assert on behaviour; the SDK's routine INFO lines and core's retry warnings after a
// server teardown would drown the report. Warnings from workflows still show.
Runtime.install({
  logger: new DefaultLogger('WARN'),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
});
