import path from 'node:path';
import fs from 'node:fs';

/** Pinned versions; scripts/install-tools.sh builds exactly these into ./.tools. */
export const TEMPORAL_CLI_VERSION = '1.5.1';
export const TEST_SERVER_VERSION = '1.38.0';
/** The Temporal server (and temporal-sql-tool) of the local cluster, scripts/temporal-cluster.sh; docker-compose.yml runs the same. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
/** The OpenID Connect provider of the sign-in tests (test/helpers/keycloak.ts), unpacked by the install script. */
export const KEYCLOAK_VERSION = '26.5.6';
/** Matches TEST_SERVER_LAYOUT in the install script. */
const TEST_SERVER_LAYOUT = '2';

const projectRoot = path.resolve(__dirname, '..');
const toolsDir = process.env.KOERS_TOOLS_DIR ?? path.join(projectRoot, '.tools');

function requireTool(file: string): string {
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: run "npm install" (its install step builds the Temporal servers)`);
  }
  return file;
}

export const temporalCliPath = (): string => requireTool(path.join(toolsDir, `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'temporal'));
export const testServerPath = (): string => requireTool(path.join(toolsDir, `temporal-test-server-${TEST_SERVER_VERSION}-${TEST_SERVER_LAYOUT}`, 'test-server'));
export const keycloakHome = (): string => path.dirname(path.dirname(requireTool(path.join(toolsDir, `keycloak-${KEYCLOAK_VERSION}`, 'bin', 'kc.sh'))));
