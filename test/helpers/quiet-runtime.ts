import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

// Tests assert on behaviour; the SDK's routine INFO lines and core's retry warnings after a
// server teardown would drown the report. Warnings from workflows still show; KOERS_CORE_LOG=WARN
// shows core's own (a workflow task completion the server refused, say) when a test hangs.
Runtime.install({
  logger: new DefaultLogger('WARN'),
  telemetryOptions: { logging: { filter: { core: (process.env.KOERS_CORE_LOG as LogLevel | undefined) ?? 'ERROR', other: 'ERROR' }, forward: {} } },
});
