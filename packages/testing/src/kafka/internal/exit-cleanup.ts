/** Synchronous cleanup to run when the process ends; it must not throw and cannot await. */
export type ExitCleanup = () => void;

const cleanups = new Set<ExitCleanup>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

/**
 * Runs `cleanup` when the process exits or is ended by SIGINT/SIGTERM/SIGHUP, until the returned function
 * unregisters it. This is the first line of defence against orphan brokers; the per-JVM watchdog is the second,
 * for deaths no handler sees (SIGKILL, crashes).
 */
export function onProcessExit(cleanup: ExitCleanup): () => void {
  cleanups.add(cleanup);
  install();
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0) uninstall();
  };
}

function runAll(): void {
  const pending = [...cleanups];
  cleanups.clear();
  for (const cleanup of pending) {
    try {
      cleanup();
    } catch {
      // Best effort while the process is going down: one failing cleanup must not skip the others.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // Listening for a signal turns off Node's default of exiting on it. When this is the only listener the process was
  // meant to die: clean up, then die of the same signal. When others listen (vitest, the kafka CLI), they own the
  // shutdown and stop the cluster themselves or exit, which the 'exit' hook covers.
  if (process.listenerCount(signal) > 1) return;
  runAll();
  uninstall();
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', runAll);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}
