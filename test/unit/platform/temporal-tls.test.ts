import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadConfig } from '../../../platform/config';
import { checkTemporalTls, TemporalTlsError } from '../../../platform/temporal';

/**
 * Production mode talks to a Temporal cluster only over mutual TLS: the settings must name a client
 * certificate, and the frontend must complete a TLS handshake with a certificate Koers trusts. The
 * frontends here are gRPC servers as Temporal's is (HTTP/2, plain or TLS), with certificates from the
 * same throwaway-CA script the cluster test uses (scripts/temporal-certs.sh, openssl).
 */
const root = path.resolve(__dirname, '../../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-tls-'));
const certs = (name: string) => {
  execFileSync('bash', [path.join(root, 'scripts/temporal-certs.sh'), path.join(dir, name), 'koers'], { stdio: 'ignore' });
  const file = (f: string) => path.join(dir, name, f);
  return { ca: file('ca.pem'), serverCert: file('temporal.pem'), serverKey: file('temporal-key.pem'), cert: file('koers.pem'), key: file('koers-key.pem') };
};
const cluster = certs('cluster');
const stranger = certs('stranger');

/** A frontend that answers nothing useful: only the transport matters here. */
async function frontend(credentials: grpc.ServerCredentials): Promise<{ address: string; stop: () => Promise<void> }> {
  const server = new grpc.Server();
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', credentials, (err, bound) => (err ? reject(err) : resolve(bound))));
  return { address: `127.0.0.1:${port}`, stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}
const mutualTls = () =>
  grpc.ServerCredentials.createSsl(fs.readFileSync(cluster.ca), [{ cert_chain: fs.readFileSync(cluster.serverCert), private_key: fs.readFileSync(cluster.serverKey) }], true);

const production = { KOERS_MODE: 'production', KOERS_ROLE: 'worker', TEMPORAL_ADDRESS: 'temporal:7233' };

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('production mode and the Temporal cluster', () => {
  it('refuses settings without a client certificate, naming what to set', () => {
    expect(() => loadConfig(production)).toThrow(/^invalid setting TEMPORAL_TLS_CERT_PATH: production mode \(KOERS_MODE\) refuses a Temporal cluster without mutual TLS; set TEMPORAL_TLS_CA_PATH, TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH/);
    // TLS without a client certificate is not mutual TLS.
    expect(() => loadConfig({ ...production, TEMPORAL_TLS: 'true', TEMPORAL_TLS_CA_PATH: cluster.ca })).toThrow(/TEMPORAL_TLS_CERT_PATH: production mode/);
    const config = loadConfig({ ...production, TEMPORAL_TLS_CA_PATH: cluster.ca, TEMPORAL_TLS_CERT_PATH: cluster.cert, TEMPORAL_TLS_KEY_PATH: cluster.key, TEMPORAL_TLS_SERVER_NAME: 'temporal' });
    expect(config.temporal).toMatchObject({ tls: true, requireTls: true, tlsServerName: 'temporal', tlsCaPath: cluster.ca });
    // Development mode keeps its plain local cluster.
    expect(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }).temporal).toMatchObject({ tls: false, requireTls: false });
  });

  it('keeps the embedded server (no TLS, no authorizer) on loopback in production mode', () => {
    expect(loadConfig({ KOERS_BIND_ADDRESS: '0.0.0.0' }).temporal.embeddedBindAddress).toBe('0.0.0.0');
    expect(loadConfig({ KOERS_BIND_ADDRESS: '0.0.0.0', KOERS_MODE: 'production', KOERS_API_KEYS_FILE: '/keys.json' }).temporal.embeddedBindAddress).toBe('127.0.0.1');
  });

  const settings = { namespace: 'default', tlsCaPath: cluster.ca, tlsCertPath: cluster.cert, tlsKeyPath: cluster.key, tlsServerName: 'temporal' };

  it('refuses a frontend that does not speak TLS', async () => {
    const plain = await frontend(grpc.ServerCredentials.createInsecure());
    try {
      const refused = await checkTemporalTls(settings, plain.address).then(() => undefined, (err: unknown) => err);
      expect(refused).toBeInstanceOf(TemporalTlsError);
      expect((refused as Error).message).toMatch(new RegExp(`^refusing Temporal at ${plain.address}: it does not speak TLS .*production mode \\(KOERS_MODE\\) talks to a cluster only over mutual TLS`));
    } finally {
      await plain.stop();
    }
  });

  it('accepts the cluster CA signed, and refuses one it cannot verify', async () => {
    const secure = await frontend(mutualTls());
    try {
      await expect(checkTemporalTls(settings, secure.address)).resolves.toBeUndefined();
      // Another CA's trust, or a name the certificate does not carry: not this cluster.
      await expect(checkTemporalTls({ ...settings, tlsCaPath: stranger.ca, tlsCertPath: stranger.cert, tlsKeyPath: stranger.key }, secure.address)).rejects.toThrow(/its certificate does not verify/);
      await expect(checkTemporalTls({ ...settings, tlsServerName: 'temporal.elsewhere.example' }, secure.address)).rejects.toThrow(/its certificate does not verify \(ERR_TLS_CERT_ALTNAME_INVALID/);
    } finally {
      await secure.stop();
    }
  });

  it('says so when nothing answers', async () => {
    const gone = await frontend(grpc.ServerCredentials.createInsecure());
    await gone.stop();
    await expect(checkTemporalTls(settings, gone.address)).rejects.toThrow(/not reachable \(ECONNREFUSED\)/);
  });
});
