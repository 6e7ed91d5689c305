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
 * Client connection for the API and the worker's own calls; the same settings reach a local dev
 * server or a cluster. The data converter carries the payload codec (platform/codec.ts): every
 * client encrypts what it sends.
 */
export async function connectClient(t: TemporalConfig, address: string, dataConverter: DataConverter): Promise<Client> {
  const connection = await Connection.connect({ address, tls: tlsOptions(t), apiKey: t.apiKey });
  return new Client({ connection, namespace: t.namespace, dataConverter });
}

export function connectWorker(t: TemporalConfig, address: string): Promise<NativeConnection> {
  return NativeConnection.connect({ address, tls: tlsOptions(t), apiKey: t.apiKey });
}
