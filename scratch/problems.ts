import os from 'node:os'; import path from 'node:path'; import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, Runtime } from '@temporalio/worker';
import { TypedSearchAttributes } from '@temporalio/common';
import { startDevServer } from '../platform/dev-server';
import { municipalityKey } from '../platform/search-attributes';
Runtime.install({ telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pr-'));
  const port = 23000 + Math.floor(Math.random() * 1000);
  const server = await startDevServer({ port, uiPort: port + 1, dbFile: path.join(dir, 't.db'), namespace: 'default' });
  const conn = await Connection.connect({ address: server.address });
  const client = new Client({ connection: conn });
  const nc = await NativeConnection.connect({ address: server.address });
  const worker = await Worker.create({ connection: nc, taskQueue: 'broken', workflowsPath: require.resolve('../test/helpers/broken/workflows') });
  const run = worker.run();
  const sa = new TypedSearchAttributes([{ key: municipalityKey, value: 'borger-odoorn' }]);
  for (const b of ['task-failure', 'run-failure', 'never']) await client.workflow.start('journeyWorkflow', { workflowId: `w-${b}`, taskQueue: 'broken', args: [{ journeyId: `w-${b}`, municipality: 'borger-odoorn', breaks: b }], typedSearchAttributes: sa });
  await client.workflow.start('journeyWorkflow', { workflowId: 'w-timeout', taskQueue: 'broken', args: [{ journeyId: 'w-timeout', municipality: 'borger-odoorn', breaks: 'never' }], typedSearchAttributes: sa, workflowExecutionTimeout: '2s' });
  for (let i = 0; i < 8; i++) {
    await new Promise((r) => setTimeout(r, 3000));
    const d = await client.workflow.getHandle('w-task-failure').describe();
    const list = { executions: [] };
    const cnt = await client.workflowService.countWorkflowExecutions({ namespace: 'default', query: "WorkflowType = 'journeyWorkflow' GROUP BY ExecutionStatus" });
    console.log(i, 'attempt', d.raw.pendingWorkflowTask?.attempt, 'problems', list.executions.length, JSON.stringify(d.raw.workflowExecutionInfo?.searchAttributes?.indexedFields ? Object.keys(d.raw.workflowExecutionInfo.searchAttributes.indexedFields) : []), 'groups', JSON.stringify(cnt.groups?.map((g) => [g.groupValues?.map((v) => Buffer.from(v.data!).toString()), Number(g.count)])));
  }


  worker.shutdown(); await run; await nc.close(); await conn.close(); await server.stop(); process.exit(0);
}
main().catch((e) => { console.error(e); process.exit(1); });
