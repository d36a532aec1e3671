// One launcher for the broker tests' replicas: a fixture script run by node (TypeScript through tsx, the workspace's
// sources through the kaskade-source condition) in a child process, that reports its progress as one JSON object per
// line on stdout. Tests keep their own bookkeeping in `onEvent`; this file only spawns, splits lines and tracks exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { eventually } from './kafka-helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** One line a replica printed, parsed: `event` names it, the other fields depend on it. */
export interface ReplicaEvent {
  readonly event: string;
  readonly [field: string]: unknown;
}

/** A running (or exited) replica process. */
export interface ReplicaProcess {
  readonly proc: ChildProcess;
  /** Set when the process exited: its code, or the signal that ended it. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Sends `signal` (unless the process already exited) and waits until it exited. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
}

export interface ReplicaOptions {
  /** Run the process as this user (and group of the same id). */
  readonly uid?: number;
}

/**
 * Starts `node <fixture> ...args` from the repository root. Lines that are not JSON objects (a library's own log
 * line) are ignored; each object is handed to `onEvent` in order,
 * typed as `E` (the fields the test reads).
 */
export function startReplicaProcess<E extends { event: string } = ReplicaEvent>(
  fixture: string,
  args: readonly string[],
  onEvent: (e: E) => void,
  options: ReplicaOptions = {},
): ReplicaProcess {
  const proc = spawn(process.execPath, ['--conditions=kaskade-source', '--import', 'tsx', fixture, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  });
  const replica: ReplicaProcess = {
    proc,
    exit: undefined,
    async stop(signal = 'SIGTERM', timeoutMs = 60_000) {
      if (replica.exit === undefined) proc.kill(signal);
      await eventually(() => replica.exit !== undefined, timeoutMs, 'the replica process to exit');
    },
  };
  proc.on('exit', (code, signal) => (replica.exit = { code, signal }));
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    let e: E;
    try {
      // The fixture's own line protocol: each test names the fields it reads.
      e = JSON.parse(line) as E;
    } catch {
      return;
    }
    onEvent(e);
  });
  return replica;
}
