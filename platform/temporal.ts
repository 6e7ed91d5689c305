import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { Connection, Client, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from './config';

type TemporalConfig = Config['temporal'];
/** What a connection needs of the configuration (tests pass only the namespace). */
type ConnectionSettings = Pick<TemporalConfig, 'namespace'> & Partial<Pick<TemporalConfig, 'tls' | 'tlsCaPath' | 'tlsCertPath' | 'tlsKeyPath' | 'tlsServerName' | 'apiKey'>>;

function tlsOptions(t: ConnectionSettings) {
  if (!t.tls) return undefined;
  return {
    serverNameOverride: t.tlsServerName,
    serverRootCACertificate: t.tlsCaPath ? fs.readFileSync(t.tlsCaPath) : undefined,
    clientCertPair:
      t.tlsCertPath && t.tlsKeyPath ? { crt: fs.readFileSync(t.tlsCertPath), key: fs.readFileSync(t.tlsKeyPath) } : undefined,
  };
}

/** Koers will not talk to this Temporal frontend; the message says why and what to set, in one line. */
export class TemporalTlsError extends Error {}

/**
 * Completes one TLS handshake with the Temporal frontend at `address` (`host:port`) as Koers's clients
 * will: the configured CA (else the system's), client certificate and server name, host-name
 * verification on. Resolves when the frontend presented a certificate Koers trusts. Rejects with a
 * {@link TemporalTlsError} naming the cause when it answers without TLS (a cluster anyone on its
 * network can signal, terminate or delete journeys on, around Koers's API and audit trail), with a
 * certificate that does not verify, or not at all within `timeoutMs`. Production mode calls it before
 * the first connection (platform/koers.ts), so the gRPC clients' retries never hide the reason.
 */
export async function checkTemporalTls(t: ConnectionSettings, address: string, timeoutMs = 10_000): Promise<void> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at);
  const port = Number(address.slice(at + 1));
  const settings = 'TEMPORAL_TLS_CA_PATH, TEMPORAL_TLS_CERT_PATH, TEMPORAL_TLS_KEY_PATH, TEMPORAL_TLS_SERVER_NAME';
  const refuse = (why: string) =>
    new TemporalTlsError(`refusing Temporal at ${address}: ${why}; production mode (KOERS_MODE) talks to a cluster only over mutual TLS (${settings}; docs/deployment.md)`);
  const options = tlsOptions({ ...t, tls: true })!;
  await new Promise<void>((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      // SNI carries no IP address; the certificate is still checked against it.
      servername: t.tlsServerName ?? (net.isIP(host) ? undefined : host),
      checkServerIdentity: (hostname, cert) => tls.checkServerIdentity(t.tlsServerName ?? hostname, cert),
      ca: options.serverRootCACertificate,
      cert: options.clientCertPair?.crt,
      key: options.clientCertPair?.key,
      ALPNProtocols: ['h2'],
      timeout: timeoutMs,
    });
    const done = (err?: Error) => {
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.once('secureConnect', () => done());
    socket.once('timeout', () => done(refuse(`no TLS handshake within ${timeoutMs / 1000} s`)));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH') {
        done(refuse(`not reachable (${code})`));
      } else if (/CERT|SELF_SIGNED|ERR_TLS_CERT_ALTNAME|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) {
        done(refuse(`its certificate does not verify (${code}: ${err.message})`));
      } else {
        // A plain-text gRPC server answers a ClientHello with an HTTP/2 GOAWAY or a reset, never a ServerHello.
        done(refuse(`it does not speak TLS (${code || err.message})`));
      }
    });
  });
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
