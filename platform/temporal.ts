import fs from 'node:fs';
import { Connection, Client } from '@temporalio/client';
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

/** Client connection for the API; the same settings reach a local dev server or a cluster. */
export async function connectClient(t: TemporalConfig, address: string): Promise<Client> {
  const connection = await Connection.connect({ address, tls: tlsOptions(t), apiKey: t.apiKey });
  return new Client({ connection, namespace: t.namespace });
}

export function connectWorker(t: TemporalConfig, address: string): Promise<NativeConnection> {
  return NativeConnection.connect({ address, tls: tlsOptions(t), apiKey: t.apiKey });
}
