import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KafkaLauncherError } from '../kafka-launcher-error.js';

/** Apache Kafka's jars, resolved into the cache directory. */
export interface KafkaDistribution {
  /** `$KASKADE_CACHE/kafka-<version>`. */
  readonly home: string;
  /** A JVM classpath with every jar of the broker (`<home>/libs/*`; the JVM expands the wildcard). */
  readonly classpath: string;
  readonly version: string;
}

// The script and its pom live beside the sources (packages/testing/kafka), so that `npm run setup` and the launcher
// share one definition of which Kafka to run.
const RESOLVE_SCRIPT = fileURLToPath(new URL('../../../kafka/resolve-kafka.sh', import.meta.url));

/**
 * Finds the `java` executable: `javaPath` if given, else `$JAVA_HOME/bin/java`, else the first `java` on `PATH`.
 * Throws `JAVA_NOT_FOUND` when there is none; checking here gives a clear error instead of a failed spawn later.
 */
export function findJava(javaPath?: string): string {
  if (javaPath !== undefined) {
    if (isExecutable(javaPath)) return javaPath;
    throw new KafkaLauncherError('JAVA_NOT_FOUND', `java not found: ${javaPath} is not an executable file`);
  }
  const javaHome = process.env['JAVA_HOME'];
  if (javaHome) {
    const candidate = join(javaHome, 'bin', 'java');
    if (isExecutable(candidate)) return candidate;
  }
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'java');
    if (isExecutable(candidate)) return candidate;
  }
  throw new KafkaLauncherError(
    'JAVA_NOT_FOUND',
    'java not found on PATH (nor in $JAVA_HOME/bin): the Kafka broker needs a Java 17+ runtime, e.g. `apt-get install openjdk-17-jre-headless`',
  );
}

/**
 * Makes sure Kafka's jars are in the cache (the first run fetches them with Maven; later runs only check a marker
 * file) and returns where they are.
 */
export async function resolveKafkaDistribution(java: string): Promise<KafkaDistribution> {
  // The script checks for `java` by name; put the chosen one first on its PATH so both agree.
  const env = { ...process.env, PATH: `${dirname(java)}${delimiter}${process.env['PATH'] ?? ''}` };
  const { code, stdout, stderr } = await run('bash', [RESOLVE_SCRIPT], env, (chunk) => {
    // The first run takes a minute; show Maven's progress rather than hanging silently.
    process.stderr.write(chunk);
  });
  if (code !== 0) {
    const output = `${stderr}${stdout}`.trim();
    const reason = /Maven \(mvn\) is required/.test(output)
      ? 'MAVEN_NOT_FOUND'
      : /Java 17\+ is required/.test(output)
        ? 'JAVA_NOT_FOUND'
        : 'KAFKA_RESOLVE_FAILED';
    throw new KafkaLauncherError(reason, `resolving Apache Kafka's jars failed (${RESOLVE_SCRIPT}):\n${output}`);
  }
  const home = stdout.trim().split('\n').at(-1) ?? '';
  let version: string;
  try {
    version = readFileSync(join(home, 'version'), 'utf8').trim();
  } catch (cause) {
    throw new KafkaLauncherError('KAFKA_RESOLVE_FAILED', `${RESOLVE_SCRIPT} printed ${home}, which has no version`, {
      cause,
    });
  }
  return { home, classpath: join(home, 'libs', '*'), version };
}

/** Options of {@link formatStorage}. */
export interface FormatStorageOptions {
  readonly java: string;
  readonly distribution: KafkaDistribution;
  readonly propertiesFile: string;
  readonly log4jFile: string;
  readonly clusterId: string;
  /** One node that is its own controller quorum (dynamic quorum); false for static `controller.quorum.voters`. */
  readonly standalone: boolean;
  readonly nodeId: number;
  /** Aborting kills the tool (SIGKILL): the launcher's exit hook must not leave it running. */
  readonly signal?: AbortSignal;
}

/** Formats one node's log directory with `kafka.tools.StorageTool format`; throws `EXITED` with its output. */
export async function formatStorage(options: FormatStorageOptions): Promise<void> {
  const args = [
    // A short-lived tool: the client compiler and serial GC start faster, and it needs little memory.
    '-Xmx256m',
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    `-Dlog4j2.configurationFile=${options.log4jFile}`,
    '-cp',
    options.distribution.classpath,
    'kafka.tools.StorageTool',
    'format',
    '--config',
    options.propertiesFile,
    '--cluster-id',
    options.clusterId,
    ...(options.standalone ? ['--standalone'] : []),
  ];
  const { code, stdout, stderr } = await run(options.java, args, process.env, undefined, options.signal);
  if (code !== 0) {
    throw new KafkaLauncherError(
      'EXITED',
      `formatting the storage of Kafka node ${options.nodeId} failed (exit code ${code}):\n${`${stdout}${stderr}`.trim()}`,
      { nodeId: options.nodeId },
    );
  }
}

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  onStderr?: (chunk: Buffer) => void,
  signal?: AbortSignal,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], signal, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      onStderr?.(chunk);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
