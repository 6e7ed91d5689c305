/**
 * A validating mock of one of the chain's official documents: Stoplight Prism
 * (`@stoplight/prism-cli`) serving a specification from ../shared/conformance/ (copied as published,
 * see its README) with `--errors`, so a request the specification refuses is answered with an error
 * instead of a mocked answer, and recorded as a violation the test can assert on.
 *
 * Usage: `const zaken = await startPrism('zaken-api-1.5.1.yaml'); ... zaken.url ...;
 * expect(zaken.violations()).toEqual([]); await zaken.stop();`. `stop()` followed by `restart()`
 * plays an outage of the other party on the same address.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './ports';

/**
 * Where the chain's specifications are: verbatim copies of ../shared/conformance/ (EUPL-1.2, as
 * published) kept in the repository, because CI's clean clone may not have the shared folder beside it;
 * where it is, the copies must equal it (checked below, as test/conformance/run.sh does for the ADR ruleset).
 */
export const CONFORMANCE_DIR = path.resolve(__dirname, '../conformance/chain');
const SHARED_CONFORMANCE_DIR = path.resolve(__dirname, '../../../shared/conformance');

/** The specifications Prism can serve. */
export type ChainSpecification = 'zaken-api-1.5.1.yaml' | 'brp-personen-2.7.0.yaml';

export interface PrismMock {
  /** Base URL of the mock, without a trailing slash; the document's paths are served under it (e.g. `/zaken`). */
  readonly url: string;
  /** Prism's validator's complaints about the requests so far (one line each); empty when every request was valid. */
  violations(): string[];
  /** Every line Prism logged so far, for a failing test's message. */
  log(): string;
  /** Stops the mock (the other party is down). */
  stop(): Promise<void>;
  /** Starts the mock again on the same port (the other party is back). */
  restart(): Promise<void>;
}

/** How long Prism may take to start: a few seconds on a quiet machine, much longer beside other test runs. */
export const PRISM_START_TIMEOUT_MS = 120_000;

const PRISM_BIN = path.resolve(__dirname, '../../node_modules/.bin/prism');

/**
 * Starts Prism on a free loopback port for `specification` (a file in {@link CONFORMANCE_DIR}).
 * `dynamic` makes Prism generate answers from the schemas instead of the documents' examples.
 * Throws when the specification is missing or Prism does not start in {@link PRISM_START_TIMEOUT_MS}.
 */
export async function startPrism(specification: ChainSpecification, options: { dynamic?: boolean } = {}): Promise<PrismMock> {
  const document = path.join(CONFORMANCE_DIR, specification);
  const shared = path.join(SHARED_CONFORMANCE_DIR, specification);
  if (fs.existsSync(shared) && !fs.readFileSync(shared).equals(fs.readFileSync(document))) {
    throw new Error(`${document} differs from ${shared}: copy the published specification again`);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const lines: string[] = [];
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const firstLine = lines.length;
    const args = ['mock', '--errors', '-h', '127.0.0.1', '-p', String(port), ...(options.dynamic ? ['--dynamic'] : []), document];
    const started = spawn(PRISM_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child = started;
    const collect = (chunk: Buffer): void => {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim() !== ''));
    };
    started.stdout!.on('data', collect);
    started.stderr!.on('data', collect);
    const deadline = Date.now() + PRISM_START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (started.exitCode !== null) throw new Error(`Prism exited: ${lines.join('\n').slice(-3000)}`);
      if (lines.slice(firstLine).some((line) => line.includes('Prism is listening'))) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`Prism did not start in ${PRISM_START_TIMEOUT_MS} ms: ${lines.join('\n').slice(-3000)}`);
  };

  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    try {
      process.kill(-running.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await exited;
  };

  await start();
  return {
    url,
    violations: () => lines.filter((line) => line.includes('[VALIDATOR]') && line.includes('error')),
    log: () => lines.join('\n'),
    stop,
    restart: async () => {
      await stop();
      await start();
    },
  };
}
