import fs from 'node:fs';
import { Connection, Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from './config';

type TemporalConfig = Config['temporal'];

function tlsOptions(t: TemporalConfig) {
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
 * Client connection for the API and the worker's own calls; the same settings reach a local dev
 * server or a cluster. The data converter carries the payload codec (platform/codec.ts): every
 * client encrypts what it sends.
 */
export async function connectClient(t: TemporalConfig, address: string, dataConverter: DataConverter): Promise<Client> {
  const connection = await Connection.connect({ address, tls: tlsOptions(t), apiKey: t.apiKey, channelArgs: { ...RECONNECT_CHANNEL_ARGS } });
  return new Client({ connection, namespace: t.namespace, dataConverter });
}

export function connectWorker(t: TemporalConfig, address: string): Promise<NativeConnection> {
  return NativeConnection.connect({ address, tls: tlsOptions(t), apiKey: t.apiKey });
}
