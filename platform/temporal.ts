import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { Connection, Client, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from './config';

type TemporalConfig = Config['temporal'];
/** What a connection needs of the configuration (tests pass only the namespace). */
type ConnectionSettings = Pick<TemporalConfig, 'namespace'> & Partial<Pick<TemporalConfig, 'tls' | 'tlsCaPath' | 'tlsCertPath' | 'tlsKeyPath' | 'apiKey'>>;

function tlsOptions(t: ConnectionSettings) {
  if (!t.tls) return undefined;
  return {
    serverRootCACertificate: t.tlsCaPath ? fs.readFileSync(t.tlsCaPath) : undefined,
    clientCertPair:
      t.tlsCertPath && t.tlsKeyPath ? { crt: fs.readFileSync(t.tlsCertPath), key: fs.readFileSync(t.tlsKeyPath) } : undefined,
  };
}

/**
 * gRPC's reconnect backoff grows to 120 s by default: after a long outage the API would go on answering
 * 503 for up to that long once Temporal is back. A short ceiling reconnects within seconds, at the cost
 * of a connection attempt every 2 s while Temporal is down.
 */
export const RECONNECT_CHANNEL_ARGS = { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 2000 } as const;

/**
 * The gRPC calls of one client connection that have started and not yet ended, counted from the first
 * attempt to the final status, the SDK's retries and the waits between them included.
 *
 * Why: the SDK's retry interceptor schedules each retry with a timer that `Connection.close()` does not
 * clear. A retry due after the close throws "Channel has been shut down" inside that timer, an uncaught
 * exception that ends the process (or fails a test suite). A call abandoned at our own deadline
 * (api/temporal.ts) may still be retrying then. So a connection is closed only once its calls have ended.
 */
class CallsInFlight {
  private readonly calls = new Map<number, string>();
  private sequence = 0;
  private readonly idle = new Set<() => void>();

  /** Outermost interceptor of the connection, so one call spans all its attempts. */
  readonly interceptor: grpc.Interceptor = (options, nextCall) => {
    const method = options.method_definition.path;
    return new grpc.InterceptingCall(
      nextCall(options),
      new grpc.RequesterBuilder()
        .withStart((metadata, listener, next) => {
          const id = ++this.sequence;
          this.calls.set(id, method);
          next(
            metadata,
            new grpc.ListenerBuilder()
              .withOnReceiveStatus((status, nextStatus) => {
                this.end(id);
                nextStatus(status);
              })
              .build(),
          );
        })
        .build(),
    );
  };

  private end(id: number): void {
    this.calls.delete(id);
    if (this.calls.size === 0) for (const resolve of this.idle) resolve();
  }

  /** Waits until no call is in flight, at most `maxWaitMs`; the methods of the calls still running then. */
  async ended(maxWaitMs: number): Promise<string[]> {
    if (this.calls.size > 0) {
      let resolveIdle = () => undefined as void;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        resolveIdle = resolve;
        this.idle.add(resolveIdle);
        timer = setTimeout(resolve, maxWaitMs);
      });
      this.idle.delete(resolveIdle);
      clearTimeout(timer);
    }
    return [...this.calls.values()];
  }
}

const callsInFlight = new WeakMap<object, CallsInFlight>();

/**
 * Client connection for the API and the worker's own calls; the same settings reach a local dev
 * server or a cluster. The data converter carries the payload codec (platform/codec.ts): every
 * client of Koers encrypts what it sends (tests that only describe or terminate pass none). Close it
 * with `closeClient`.
 */
export async function connectClient(t: ConnectionSettings, address: string, dataConverter?: DataConverter): Promise<Client> {
  const calls = new CallsInFlight();
  const connection = await Connection.connect({
    address,
    tls: tlsOptions(t),
    apiKey: t.apiKey,
    channelArgs: { ...RECONNECT_CHANNEL_ARGS },
    // Counted outside the SDK's own retry interceptor (which an `interceptors` option replaces, so it is listed again).
    interceptors: [calls.interceptor, makeGrpcRetryInterceptor(defaultGrpcRetryOptions())],
  });
  callsInFlight.set(connection, calls);
  return new Client({ connection, namespace: t.namespace, dataConverter });
}

/**
 * Longest wait for a connection's calls at close. The SDK makes up to ten attempts, 0.17 s apart at
 * first, growing 1.7× to 5 s, with 20% jitter: at most about 24 s of waiting. A call with a deadline
 * (the API's: 10 s) ends at the first attempt after it, so within 16 s.
 */
export const CLOSE_WAIT_MS = 25_000;

/**
 * Closes a client from `connectClient` once its calls, retries included, have ended (at most
 * `maxWaitMs`), so no retry fires on a closed channel. Returns the gRPC methods of calls still running
 * when it closed anyway (empty normally), for the caller to log.
 */
export async function closeClient(client: Client, maxWaitMs = CLOSE_WAIT_MS): Promise<string[]> {
  const left = (await callsInFlight.get(client.connection)?.ended(maxWaitMs)) ?? [];
  await client.connection.close();
  return left;
}

export function connectWorker(t: ConnectionSettings, address: string): Promise<NativeConnection> {
  return NativeConnection.connect({ address, tls: tlsOptions(t), apiKey: t.apiKey });
}
