import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onProcessExit } from '../kafka/internal/exit-cleanup.js';
import { findJava } from '../kafka/internal/kafka-distribution.js';
import { startWatchdog } from '../kafka/internal/kafka-node-process.js';
import { SchemaRegistryLauncherError } from './schema-registry-launcher-error.js';

/** A running schema registry on loopback, started by {@link startSchemaRegistry}. */
export interface SchemaRegistry {
  /** The Confluent-compatible API's base URL, e.g. `http://127.0.0.1:41234/apis/ccompat/v7`: what clients take. */
  readonly url: string;
  /** The HTTP port on 127.0.0.1. */
  readonly port: number;
  /** The registry JVM's process id. */
  readonly pid: number;
  /** The product and version, e.g. `Apicurio Registry 2.4.2.Final`. */
  readonly version: string;
  /** The registry's log file; removed by {@link SchemaRegistry.stop}. */
  readonly logFile: string;
  /** Stops the JVM (SIGTERM, SIGKILL after 10 s) and removes its files. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startSchemaRegistry}. */
export interface StartSchemaRegistryOptions {
  /**
   * The compatibility every subject is checked against when a schema is registered, unless set per subject. Default
   * `BACKWARD`, Confluent Schema Registry's default (Apicurio's own default is to check nothing).
   */
  readonly compatibility?: 'NONE' | 'BACKWARD' | 'FORWARD' | 'FULL';
  /** Maximum heap of the registry JVM in MiB. Default 384. */
  readonly heapMb?: number;
  /** How long to wait for the API to answer. Default 120 000 (the first start on a loaded machine takes ~30 s). */
  readonly readyTimeoutMs?: number;
  /** The `java` executable. Default: `$JAVA_HOME/bin/java`, else `java` on `PATH`. */
  readonly javaPath?: string;
}

const RESOLVE_SCRIPT = fileURLToPath(new URL('../../schema-registry/resolve-schema-registry.sh', import.meta.url));
const RUNNER_JAR = 'kaskade-schema-registry-1-runner.jar';
const API_PATH = '/apis/ccompat/v7';
const STOP_GRACE_MS = 10_000;
const POLL_INTERVAL_MS = 250;
const LOG_TAIL_LINES = 40;

/**
 * Starts a real schema registry with a Confluent-compatible API (Apicurio Registry, in-memory storage) as a local JVM
 * bound to 127.0.0.1 on a free port. Resolves once `GET <url>/subjects` answers. Builds the registry from Maven Central
 * on first use (packages/testing/schema-registry; `npm run setup` does it ahead of time) and caches the build under
 * `$KASKADE_CACHE` (default `~/.cache/kaskade`).
 *
 * The JVM dies with the calling process, even if it is killed: call {@link SchemaRegistry.stop} to end it earlier. Failures are {@link SchemaRegistryLauncherError}s.
 *
 * ```ts
 * const registry = await startSchemaRegistry();
 * try {
 *   // ... new SchemaRegistryClient({ baseURLs: [registry.url] })
 * } finally {
 *   await registry.stop();
 * }
 * ```
 */
export async function startSchemaRegistry(options: StartSchemaRegistryOptions = {}): Promise<SchemaRegistry> {
  const heapMb = options.heapMb ?? 384;
  if (!Number.isInteger(heapMb) || heapMb < 128)
    throw new RangeError(`heapMb must be an integer >= 128, not ${heapMb}`);
  const compatibility = options.compatibility ?? 'BACKWARD';
  if (!['NONE', 'BACKWARD', 'FORWARD', 'FULL'].includes(compatibility)) {
    throw new RangeError(`compatibility must be NONE, BACKWARD, FORWARD or FULL, not ${String(compatibility)}`);
  }
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  let java: string;
  try {
    java = findJava(options.javaPath);
  } catch (error) {
    throw new SchemaRegistryLauncherError(
      'JAVA_NOT_FOUND',
      (error as Error).message.replace('Kafka broker', 'schema registry'),
    );
  }
  const buildDir = await resolveBuild();
  const version = `Apicurio Registry ${readFileSync(join(buildDir, 'version'), 'utf8').trim()}`;
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'kaskade-schema-registry-'));
  const logFile = join(dir, 'registry.log');
  const out = openSync(logFile, 'a');
  const args = [
    `-Xmx${heapMb}m`,
    '-Dquarkus.http.host=127.0.0.1',
    `-Dquarkus.http.port=${port}`,
    // Each start is an empty registry: the default in-memory H2 database, named per process.
    `-Dquarkus.datasource.jdbc.url=jdbc:h2:mem:registry-${port}`,
    `-Dregistry.rules.global.compatibility=${compatibility}`,
    '-Dquarkus.log.console.level=WARN',
    '-jar',
    join(buildDir, RUNNER_JAR),
  ];
  const jvm = spawn(java, args, { cwd: dir, stdio: ['ignore', out, out] });
  closeSync(out);
  // Exit handlers cover an orderly end of this process; the watchdog also covers SIGKILL.
  if (jvm.pid !== undefined) startWatchdog(jvm.pid, dir);
  const exited = new Promise<{ code: number | null; signal: string | null; error?: Error }>((resolve) => {
    jvm.once('exit', (code, signal) => resolve({ code, signal }));
    jvm.once('error', (error) => resolve({ code: null, signal: null, error }));
  });
  const killSync = (): void => {
    if (jvm.exitCode === null && jvm.signalCode === null) jvm.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const unregister = onProcessExit(killSync);
  const url = `http://127.0.0.1:${port}${API_PATH}`;
  try {
    await waitUntilReady(url, exited, readyTimeoutMs, logFile, jvm.pid);
  } catch (error) {
    await stopJvm(jvm, exited, 0);
    await rm(dir, { recursive: true, force: true });
    unregister();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    pid: jvm.pid ?? -1,
    version,
    logFile,
    stop(): Promise<void> {
      stopped ??= (async () => {
        await stopJvm(jvm, exited, STOP_GRACE_MS);
        await rm(dir, { recursive: true, force: true });
        unregister();
      })();
      return stopped;
    },
  };
}

/** Runs the build script (a marker-file check once built) and returns the directory with the runner jar. */
function resolveBuild(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [RESOLVE_SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error) =>
      reject(
        new SchemaRegistryLauncherError('BUILD_FAILED', `cannot run ${RESOLVE_SCRIPT}: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    child.once('exit', (code) => {
      if (code === 0) resolve(stdout.trim().split('\n').pop() ?? '');
      else {
        reject(
          new SchemaRegistryLauncherError(
            'BUILD_FAILED',
            `building the schema registry failed (${RESOLVE_SCRIPT} exited with ${code}):\n${tail(stderr)}`,
          ),
        );
      }
    });
  });
}

async function waitUntilReady(
  url: string,
  exited: Promise<{ code: number | null; signal: string | null; error?: Error }>,
  timeoutMs: number,
  logFile: string,
  pid: number | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: { code: number | null; signal: string | null; error?: Error } | undefined;
  void exited.then((e) => (exit = e));
  let last = 'no answer yet';
  for (;;) {
    if (exit !== undefined) {
      const how = exit.error
        ? `could not be started: ${exit.error.message}`
        : `exited with ${exit.signal ?? `code ${exit.code}`}`;
      throw new SchemaRegistryLauncherError(
        'EXITED',
        `the schema registry ${how} before it was ready\n${logTail(logFile)}`,
        {
          pid,
          cause: exit.error,
        },
      );
    }
    try {
      const response = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `GET ${url}/subjects answered ${response.status}`;
    } catch (error) {
      last = `GET ${url}/subjects failed: ${(error as Error).message}`;
    }
    if (Date.now() >= deadline) {
      throw new SchemaRegistryLauncherError(
        'NOT_READY',
        `the schema registry did not become ready within ${timeoutMs} ms (${last})\n${logTail(logFile)}`,
        { pid },
      );
    }
    await Promise.race([new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS)), exited]);
  }
}

async function stopJvm(jvm: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (jvm.exitCode !== null || jvm.signalCode !== null) return;
  jvm.kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  const timer = setTimeout(() => jvm.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function logTail(logFile: string): string {
  try {
    return tail(readFileSync(logFile, 'utf8'));
  } catch {
    return '(no log)';
  }
}

function tail(text: string): string {
  return text.trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
}
