import os from 'node:os'; import path from 'node:path'; import fs from 'node:fs';
import { Connection } from '@temporalio/client';
import { startDevServer } from '../platform/dev-server';
async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tok-'));
  const port = 22000 + Math.floor(Math.random() * 1000);
  const server = await startDevServer({ port, uiPort: port + 1, dbFile: path.join(dir, 't.db'), namespace: 'default' });
  const c = await Connection.connect({ address: server.address, interceptors: [] });
  for (const tok of ['AAAA', 'eyJhIjoxfQ', Buffer.from('{"CloseTime":"x"}').toString('base64url'), Buffer.from('[1]').toString('base64url')]) {
    const s = Date.now();
    try { const r = await c.workflowService.listWorkflowExecutions({ namespace: 'default', query: "WorkflowType = 'x'", pageSize: 5, nextPageToken: Buffer.from(tok, 'base64url') }); console.log(tok, 'ok', r.executions.length); }
    catch (e) { console.log(tok, (e as any).code, (e as any).details, Date.now() - s); }
  }
  // describeTaskQueue
  const d = await c.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: 'nothing' }, taskQueueType: 1 });
  console.log(JSON.stringify(d.pollers));
  await c.close(); await server.stop(); process.exit(0);
}
main();
