import { spawn } from 'node:child_process';

/** Marks the Node process {@link runWithHeapLimit} started, so it never starts another. */
const CHILD_MARK = 'KOERS_HEAP_CHILD';

/**
 * Node takes its heap limit (`--max-old-space-size`, in MB) only when it starts, so a process whose
 * flags lack `heapMb` runs this same script again in a child Node with it, and stands in for the
 * child: same arguments, environment and stdio; SIGINT/SIGTERM passed on; the child's exit code as its
 * own. The child ends with its parent (an IPC channel that closes when the parent dies, even by
 * SIGKILL), so killing the process `npm start` or a container started still stops Koers.
 * Works for `npm start`, the Dockerfile's command and every KOERS_ROLE without a wrapper script.
 *
 * Returns true when the caller is the parent and must do nothing else; false when this process
 * already runs with the limit (or `heapMb` is 0: Node's own default).
 */
export function runWithHeapLimit(heapMb: number): boolean {
  if (process.env[CHILD_MARK] === '1') {
    // The parent died (SIGKILL included): so does Koers, as if it had been killed itself.
    process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
    return false;
  }
  const flag = `--max-old-space-size=${heapMb}`;
  if (heapMb === 0 || process.execArgv.includes(flag)) return false;
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--max-old-space-size'));
  const child = spawn(process.execPath, [...execArgv, flag, ...process.argv.slice(1)], {
    env: { ...process.env, [CHILD_MARK]: '1' },
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  // SIGHUP reloads the API keys file (api/auth.ts); the others stop Koers.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + signalNumber(signal) : 1)));
  return true;
}

function signalNumber(signal: NodeJS.Signals): number {
  return { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal as string] ?? 1;
}
