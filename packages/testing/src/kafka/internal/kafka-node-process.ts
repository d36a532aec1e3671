import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, fstatSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { KafkaNodeLayout } from './kafka-node-config.js';

/** How a broker JVM ended. */
export interface NodeExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the JVM could not be spawned at all. */
  readonly error?: Error;
}

// Kills the JVM when the Node process that started it is gone, for deaths that no exit handler sees (SIGKILL, a
// crash). Its stdin is a pipe from Node: end of input means the parent is gone, even if its pid was reused; `kill -0`
// on the parent each second is the fallback. A zombie JVM counts as dead. After killing it removes the node's
// directory (and the cluster's, once empty). It ends by itself when the JVM ends.
const WATCHDOG_SCRIPT = `
parent=$1 jvm=$2 dir=$3
alive() {
  local stat
  if { read -r stat < "/proc/$1/stat"; } 2>/dev/null; then
    stat=\${stat##*) }
    [ "\${stat%% *}" != Z ]
  else
    kill -0 "$1" 2>/dev/null
  fi
}
while alive "$jvm"; do
  read -r -t 1 _
  rc=$?
  if { [ "$rc" -ne 0 ] && [ "$rc" -le 128 ]; } || ! alive "$parent"; then
    kill -KILL "$jvm" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do alive "$jvm" || break; sleep 0.2; done
    rm -rf "$dir"
    rmdir "$(dirname "$dir")" 2>/dev/null
    exit 0
  fi
done
`;

/** One broker JVM of a cluster: starts, stops and restarts it, with a watchdog against orphans. */
export class KafkaNodeProcess {
  readonly layout: KafkaNodeLayout;
  readonly #command: string;
  readonly #args: readonly string[];
  #jvm: ChildProcess | undefined;
  #watchdog: ChildProcess | undefined;
  #exited: Promise<NodeExit> = Promise.resolve({ code: null, signal: null });
  #lastExit: NodeExit | undefined;
  /** Every pid this node ever had, so that a failed start can report what it killed. */
  readonly pids: number[] = [];

  constructor(layout: KafkaNodeLayout, java: string, classpath: string, heapMb: number) {
    this.layout = layout;
    this.#command = java;
    this.#args = [
      `-Xmx${heapMb}m`,
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${layout.log4jFile}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      layout.propertiesFile,
    ];
  }

  /** The running JVM's pid, or undefined when it is not running. */
  get pid(): number | undefined {
    return this.running ? this.#jvm?.pid : undefined;
  }

  get running(): boolean {
    const jvm = this.#jvm;
    return jvm !== undefined && jvm.pid !== undefined && jvm.exitCode === null && jvm.signalCode === null;
  }

  /** How the JVM last ended; undefined while it runs or before it ever ran. */
  get lastExit(): NodeExit | undefined {
    return this.running ? undefined : this.#lastExit;
  }

  /** Settles when the current JVM exits (at once when none runs). */
  get exited(): Promise<NodeExit> {
    return this.#exited;
  }

  /** Spawns the JVM (its stdout and stderr go to the node's `jvm.out`) and its watchdog. */
  start(): void {
    if (this.running) return;
    const out = openSync(this.layout.stdoutFile, 'a');
    let jvm: ChildProcess;
    try {
      writeSync(out, `[kaskade] ${new Date().toISOString()} ${this.#command} ${this.#args.join(' ')}\n`);
      jvm = spawn(this.#command, this.#args, { cwd: this.layout.dir, stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    this.#jvm = jvm;
    this.#lastExit = undefined;
    this.#exited = new Promise<NodeExit>((resolve) => {
      jvm.once('exit', (code, signal) => resolve({ code, signal }));
      jvm.once('error', (error) => resolve({ code: null, signal: null, error }));
    }).then((exit) => {
      if (this.#jvm === jvm) this.#lastExit = exit;
      return exit;
    });
    if (jvm.pid !== undefined) {
      this.pids.push(jvm.pid);
      this.#watchdog = startWatchdog(jvm.pid, this.layout.dir);
    }
  }

  /** Asks the JVM to shut down (SIGTERM) and kills it (SIGKILL) if it has not exited after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (this.running) {
      this.#signal('SIGTERM');
      if (!(await settlesWithin(this.#exited, graceMs))) {
        this.#signal('SIGKILL');
        await this.#exited;
      }
    }
    this.#stopWatchdog();
  }

  /** Kills the JVM at once (SIGKILL) and waits for it to be gone. */
  async kill(): Promise<void> {
    this.killSync();
    await this.#exited;
  }

  /** Kills the JVM and its watchdog without waiting: for exit handlers, which cannot wait. */
  killSync(): void {
    if (this.running) this.#signal('SIGKILL');
    this.#stopWatchdog();
  }

  /**
   * The last `lines` lines of the broker's log and of the JVM's output, labelled, for error messages. Indented lines
   * (stack frames, the configuration dump) are left out: they would push the lines that say what happened out of a
   * short tail, and the `Caused by:` lines stay.
   */
  logTail(lines = 40): string {
    const { nodeId, logFile, stdoutFile } = this.layout;
    const last = (file: string): string => {
      const text = readEnd(file);
      if (text === undefined) return '(no such file)';
      const kept = text.split('\n').filter((line) => line.trim() !== '' && !/^\s/.test(line));
      return kept.length === 0 ? '(empty)' : kept.slice(-lines).join('\n');
    };
    return [
      `--- node ${nodeId}: ${logFile}, last ${lines} lines (indented lines left out) ---`,
      last(logFile),
      `--- node ${nodeId}: ${stdoutFile} (JVM stdout and stderr), last ${lines} lines ---`,
      last(stdoutFile),
    ].join('\n');
  }

  /** The end of the broker's log and of the JVM's output, for searching them. */
  logText(): string {
    return `${readEnd(this.layout.logFile) ?? ''}\n${readEnd(this.layout.stdoutFile) ?? ''}`;
  }

  #signal(signal: NodeJS.Signals): void {
    const pid = this.#jvm?.pid;
    if (pid === undefined) return;
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }

  #stopWatchdog(): void {
    const watchdog = this.#watchdog;
    this.#watchdog = undefined;
    if (watchdog?.pid !== undefined && watchdog.exitCode === null && watchdog.signalCode === null) {
      try {
        process.kill(watchdog.pid, 'SIGKILL');
      } catch {
        // Already gone: it ends by itself once the JVM has ended.
      }
    }
  }
}

/**
 * A bash process that SIGKILLs the JVM `jvmPid` and removes `nodeDir` when this process dies, even by SIGKILL (which
 * no exit handler sees); it ends by itself once the JVM has ended. Also used by the schema-registry launcher.
 */
export function startWatchdog(jvmPid: number, nodeDir: string): ChildProcess {
  const watchdog = spawn(
    'bash',
    ['-c', WATCHDOG_SCRIPT, 'kaskade-kafka-watchdog', String(process.pid), String(jvmPid), nodeDir],
    // Its own process group: a Ctrl+C to the terminal must not end the watchdog before it has done its job.
    { stdio: ['pipe', 'ignore', 'ignore'], detached: true },
  );
  // Without bash there is no watchdog; the exit handlers still stop the cluster on an orderly exit.
  watchdog.on('error', () => undefined);
  watchdog.stdin?.on('error', () => undefined);
  // The watchdog is plumbing: it must not keep the process alive (the JVM itself does, while it runs).
  watchdog.unref();
  if (watchdog.stdin instanceof Socket) watchdog.stdin.unref();
  return watchdog;
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// Reads only the end of the file: a broker's log can grow large in a long test run.
function readEnd(file: string, bytes = 256 * 1024): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}
