import * as grpc from '@grpc/grpc-js';
import { closeClient, connectClient } from '../../../platform/temporal';

/**
 * A stand-in for a Temporal frontend that is up but answers UNAVAILABLE to one method, as a server
 * under load or a frontend behind a restarting proxy does: the SDK's client retries such a call with
 * timers of its own. Messages pass as raw bytes (an empty message is a valid protobuf).
 */
async function flakyFrontend(): Promise<{ address: string; attempts: () => number; stop: () => Promise<void> }> {
  const service = 'temporal.api.workflowservice.v1.WorkflowService';
  const raw = { requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b };
  const method = (name: string) => ({ path: `/${service}/${name}`, requestStream: false, responseStream: false, ...raw });
  let attempts = 0;
  const server = new grpc.Server();
  server.addService(
    { GetSystemInfo: method('GetSystemInfo'), DescribeNamespace: method('DescribeNamespace') },
    {
      GetSystemInfo: (_call: unknown, callback: grpc.sendUnaryData<Buffer>) => callback(null, Buffer.alloc(0)),
      DescribeNamespace: (_call: unknown, callback: grpc.sendUnaryData<Buffer>) => {
        attempts++;
        callback({ code: grpc.status.UNAVAILABLE, details: 'frontend busy' });
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return { address: `127.0.0.1:${port}`, attempts: () => attempts, stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

describe('closing the Temporal client', () => {
  let uncaught: unknown[];
  const record = (err: unknown) => uncaught.push(err);
  beforeEach(() => {
    uncaught = [];
    process.on('uncaughtException', record);
  });
  afterEach(() => {
    process.off('uncaughtException', record);
  });

  it('waits for a call the SDK is still retrying, so no retry fires on the closed channel', async () => {
    const frontend = await flakyFrontend();
    const client = await connectClient({ namespace: 'default' }, frontend.address);
    // As the API abandons a call at its own deadline (api/temporal.ts): the SDK goes on retrying it.
    const abandoned = client.withDeadline(Date.now() + 1500, () => client.workflowService.describeNamespace({ namespace: 'default' })).catch((err: unknown) => err);
    while (frontend.attempts() < 2) await new Promise((resolve) => setTimeout(resolve, 20));

    const left = await closeClient(client);

    expect(left).toEqual([]);
    expect(await abandoned).toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED });
    // Longer than the SDK's backoff between attempts at this point (a few hundred ms).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(uncaught).toEqual([]);
    await frontend.stop();
  });
});
