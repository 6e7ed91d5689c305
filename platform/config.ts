import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Every setting Koers reads from the environment; nothing else reads process.env. */
const EnvSchema = z.object({
  PORT: port.default(3000),
  KOERS_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  KOERS_DATA_DIR: z.string().min(1).default('data'),
  KOERS_DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'must start with sqlite: or postgres://')
    .optional(),
  KOERS_API_KEYS_FILE: z.string().min(1).optional(),
  // Derives journey ids and the BSN encryption key; the embedded default keeps one under KOERS_DATA_DIR.
  KOERS_SECRET_KEY: z.string().min(32, 'needs at least 32 characters').optional(),
  KOERS_TASK_QUEUE: z.string().min(1).default('koers-journeys'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Without TEMPORAL_ADDRESS Koers runs its own embedded dev server, persisted under KOERS_DATA_DIR.
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TLS: flag.default(false),
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CA_PATH: z.string().min(1).optional(),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  KOERS_EMBEDDED_TEMPORAL_PORT: port.default(7233),
  KOERS_EMBEDDED_TEMPORAL_UI_PORT: port.default(8233),
});

export type Config = ReturnType<typeof loadConfig>;

export class ConfigError extends Error {}

/** Validates the environment; the error message is one line naming the wrong setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`invalid setting ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  if ((e.TEMPORAL_TLS_CERT_PATH === undefined) !== (e.TEMPORAL_TLS_KEY_PATH === undefined)) {
    throw new ConfigError('invalid setting TEMPORAL_TLS_CERT_PATH: TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together');
  }
  const dataDir = path.resolve(e.KOERS_DATA_DIR);
  return {
    port: e.PORT,
    role: e.KOERS_ROLE,
    dataDir,
    databaseUrl: e.KOERS_DATABASE_URL ?? `sqlite:${path.join(dataDir, 'koers.db')}`,
    apiKeysFile: e.KOERS_API_KEYS_FILE,
    secretKey: e.KOERS_SECRET_KEY,
    taskQueue: e.KOERS_TASK_QUEUE,
    logLevel: e.LOG_LEVEL,
    temporal: {
      /** undefined: start the embedded dev server. */
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      tls: e.TEMPORAL_TLS || e.TEMPORAL_TLS_CERT_PATH !== undefined || e.TEMPORAL_API_KEY !== undefined,
      tlsCertPath: e.TEMPORAL_TLS_CERT_PATH,
      tlsKeyPath: e.TEMPORAL_TLS_KEY_PATH,
      tlsCaPath: e.TEMPORAL_TLS_CA_PATH,
      apiKey: e.TEMPORAL_API_KEY,
      embeddedPort: e.KOERS_EMBEDDED_TEMPORAL_PORT,
      embeddedUiPort: e.KOERS_EMBEDDED_TEMPORAL_UI_PORT,
    },
  };
}

/** Names of the variables a deployment must consider; the compose test checks them against docker-compose.yml. */
export const configVariableNames = Object.keys(EnvSchema.shape);
