import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './internal/exit-cleanup.js';
import { findJava, formatStorage, resolveKafkaDistribution } from './internal/kafka-distribution.js';
import { brokerProperties, nodeLayout, writeNodeConfig } from './internal/kafka-node-config.js';
import { KafkaNodeProcess } from './internal/kafka-node-process.js';
import { KafkaLauncherError } from './kafka-launcher-error.js';
import { probeMetadata } from './metadata-probe.js';

/** One node (broker and controller in one JVM) of a {@link KafkaCluster}. */
export interface KafkaNode {
  readonly nodeId: number;
  /** The broker (PLAINTEXT) port on 127.0.0.1. */
  readonly port: number;
  /** The KRaft controller port on 127.0.0.1. */
  readonly controllerPort: number;
  /** The JVM's process id; undefined while the node is stopped (see {@link KafkaCluster.stopNode}). */
  readonly pid: number | undefined;
  /** The broker's log file (INFO); removed by {@link KafkaCluster.stop}. */
  readonly logFile: string;
}

/** A running Apache Kafka cluster on loopback, started by {@link startKafka}. */
export interface KafkaCluster {
  /** `127.0.0.1:<port>` of every node, comma-separated: what `bootstrap.servers` takes. */
  readonly bootstrapServers: string;
  /** The Apache Kafka version, e.g. `4.3.1`. */
  readonly version: string;
  /** A snapshot of the nodes: a new array on every read, since pids change on restart. */
  readonly nodes: readonly KafkaNode[];
  /** Stops every JVM this cluster started (SIGTERM, SIGKILL after 10 s) and removes its data. Idempotent. */
  stop(): Promise<void>;
  /** Kills one node with SIGKILL, as a crash would, and waits until its JVM is gone. For fault tests. */
  stopNode(nodeId: number): Promise<void>;
  /**
   * Starts a stopped node again with the same ports and data, and waits until every running node's metadata lists
   * every running node.
   */
  startNode(nodeId: number): Promise<void>;
}

/** Options of {@link startKafka}. */
export interface StartKafkaOptions {
  /** One node, or three for replication and fault tests. Default 1. */
  readonly brokers?: 1 | 3;
  /** Maximum heap of each broker JVM in MiB. Default 512. */
  readonly heapMb?: number;
  /** How long to wait for the cluster to answer metadata requests with every node listed. Default 60 000. */
  readonly readyTimeoutMs?: number;
  /** Where the cluster's temporary directory is created. Default: the OS temp directory. */
  readonly dataDir?: string;
  /** Broker properties that override the defaults, for every node. */
  readonly brokerConfig?: Readonly<Record<string, string>>;
  /** The `java` executable. Default: `$JAVA_HOME/bin/java`, else `java` on `PATH`. */
  readonly javaPath?: string;
  /** Fixed ports, one entry per node (for tests of the launcher itself). Default: free ports, chosen at start. */
  readonly ports?: readonly { readonly port: number; readonly controllerPort: number }[];
}

const DEFAULT_HEAP_MB = 512;
const DEFAULT_READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const POLL_INTERVAL_MS = 200;
const PROBE_TIMEOUT_MS = 2_000;
const LOG_TAIL_LINES = 40;

/**
 * Starts a real Apache Kafka cluster (KRaft, every node broker and controller) as local JVMs bound to 127.0.0.1,
 * on free ports, with data in a fresh temporary directory. Resolves once the brokers answer a metadata request that
 * lists every node. Fetches Kafka's jars with Maven on first use (see packages/testing/kafka/pom.xml).
 *
 * The JVMs die with the calling process, even if it is killed: call {@link KafkaCluster.stop} to end them earlier.
 * Failures are {@link KafkaLauncherError}s with the tail of the broker's log in the message.
 *
 * ```ts
 * const kafka = await startKafka({ brokers: 3 });
 * try {
 *   // ... bootstrap.servers = kafka.bootstrapServers
 * } finally {
 *   await kafka.stop();
 * }
 * ```
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaCluster> {
  const brokers = options.brokers ?? 1;
  if (brokers !== 1 && brokers !== 3) throw new RangeError(`brokers must be 1 or 3, not ${String(brokers)}`);
  if (options.ports !== undefined && options.ports.length !== brokers) {
    throw new RangeError(`ports lists ${options.ports.length} nodes, but brokers is ${brokers}`);
  }
  const heapMb = options.heapMb ?? DEFAULT_HEAP_MB;
  if (!Number.isInteger(heapMb) || heapMb < 128) {
    throw new RangeError(`heapMb must be an integer >= 128, not ${heapMb}`);
  }
  const java = findJava(options.javaPath);
  const distribution = await resolveKafkaDistribution(java);
  const ports = options.ports ?? pairs(await freePorts(2 * brokers));
  const dir = await mkdtemp(join(options.dataDir ?? tmpdir(), 'kaskade-kafka-'));
  const layouts = ports.map((p, i) => nodeLayout(dir, i + 1, p.port, p.controllerPort));
  const nodes = layouts.map((layout) => new KafkaNodeProcess(layout, java, distribution.classpath, heapMb));
  const formatting = new AbortController();
  const killAll = (): void => {
    formatting.abort();
    for (const node of nodes) node.killSync();
    rmSync(dir, { recursive: true, force: true });
  };
  const unregister = onProcessExit(killAll);
  try {
    const clusterId = randomClusterId();
    for (const layout of layouts) {
      writeNodeConfig(layout, brokerProperties(layout, layouts, options.brokerConfig ?? {}));
    }
    // Formatting is a JVM start per node; in parallel it costs about one.
    await Promise.all(
      layouts.map((layout) =>
        formatStorage({
          java,
          distribution,
          propertiesFile: layout.propertiesFile,
          log4jFile: layout.log4jFile,
          clusterId,
          standalone: brokers === 1,
          nodeId: layout.nodeId,
          signal: formatting.signal,
        }),
      ),
    );
    for (const node of nodes) node.start();
    await waitUntilReady(nodes, nodes, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  } catch (error) {
    await Promise.all(nodes.map((node) => node.kill()));
    await rm(dir, { recursive: true, force: true });
    unregister();
    throw error;
  }
  return new LocalKafkaCluster(
    distribution.version,
    nodes,
    dir,
    options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    unregister,
  );
}

class LocalKafkaCluster implements KafkaCluster {
  readonly bootstrapServers: string;
  readonly version: string;
  readonly #nodes: readonly KafkaNodeProcess[];
  readonly #dir: string;
  readonly #readyTimeoutMs: number;
  readonly #unregister: () => void;
  #stopped: Promise<void> | undefined;

  constructor(
    version: string,
    nodes: readonly KafkaNodeProcess[],
    dir: string,
    readyTimeoutMs: number,
    unregister: () => void,
  ) {
    this.version = version;
    this.bootstrapServers = nodes.map((node) => `127.0.0.1:${node.layout.port}`).join(',');
    this.#nodes = nodes;
    this.#dir = dir;
    this.#readyTimeoutMs = readyTimeoutMs;
    this.#unregister = unregister;
  }

  get nodes(): readonly KafkaNode[] {
    return this.#nodes.map((node) => ({
      nodeId: node.layout.nodeId,
      port: node.layout.port,
      controllerPort: node.layout.controllerPort,
      pid: node.pid,
      logFile: node.layout.logFile,
    }));
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      await Promise.all(this.#nodes.map((node) => node.stop(STOP_GRACE_MS)));
      await rm(this.#dir, { recursive: true, force: true });
      this.#unregister();
    })();
    return this.#stopped;
  }

  async stopNode(nodeId: number): Promise<void> {
    await this.#node(nodeId).kill();
  }

  async startNode(nodeId: number): Promise<void> {
    if (this.#stopped !== undefined) throw new Error('the Kafka cluster has been stopped');
    const node = this.#node(nodeId);
    if (node.running) return;
    node.start();
    await waitUntilReady(
      this.#nodes.filter((n) => n.running),
      [node],
      this.#readyTimeoutMs,
    );
  }

  #node(nodeId: number): KafkaNodeProcess {
    const node = this.#nodes.find((n) => n.layout.nodeId === nodeId);
    if (node === undefined) throw new RangeError(`no Kafka node ${nodeId}; nodes are ${this.bootstrapServers}`);
    return node;
  }
}

/**
 * Polls each of `nodes` for metadata until each one lists all of them and names a controller. Throws `EXITED` (or
 * `PORT_IN_USE`) as soon as a JVM exits, `NOT_READY` at the deadline; before throwing it kills the JVMs of
 * `started`, the ones this attempt started.
 */
async function waitUntilReady(
  nodes: readonly KafkaNodeProcess[],
  started: readonly KafkaNodeProcess[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const expected = nodes.map((node) => node.layout.nodeId);
  const exits = nodes.map((node) => node.exited.then(() => node));
  // A JVM that exits while we poll ends the wait at once, with its log.
  let exitedNode: KafkaNodeProcess | undefined;
  void Promise.race(exits).then((node) => (exitedNode = node));
  const problems = new Map<number, string>();
  for (;;) {
    if (exitedNode !== undefined) throw await exitError(exitedNode, started);
    const probeTimeout = Math.max(100, Math.min(PROBE_TIMEOUT_MS, deadline - Date.now()));
    await Promise.all(
      nodes.map(async (node) => {
        try {
          const metadata = await probeMetadata('127.0.0.1', node.layout.port, probeTimeout);
          const listed = metadata.brokers.map((broker) => broker.nodeId);
          const missing = expected.filter((id) => !listed.includes(id));
          if (missing.length > 0) problems.set(node.layout.nodeId, `lists brokers [${listed}], not yet [${missing}]`);
          else if (metadata.controllerId < 0) problems.set(node.layout.nodeId, 'knows no controller yet');
          else problems.delete(node.layout.nodeId);
        } catch (error) {
          problems.set(node.layout.nodeId, error instanceof Error ? error.message : String(error));
        }
      }),
    );
    if (exitedNode !== undefined) throw await exitError(exitedNode, started);
    if (problems.size === 0) return;
    if (Date.now() >= deadline) {
      const pending = nodes.filter((node) => problems.has(node.layout.nodeId));
      const logTails = pending.map((node) => node.logTail(LOG_TAIL_LINES));
      await Promise.all(started.map((node) => node.kill()));
      throw new KafkaLauncherError(
        'NOT_READY',
        `Kafka did not become ready within ${timeoutMs} ms: ` +
          pending.map((node) => `node ${node.layout.nodeId}: ${problems.get(node.layout.nodeId)}`).join('; ') +
          `\n${logTails.join('\n')}`,
        { pids: started.flatMap((node) => node.pids.slice(-1)) },
      );
    }
    await Promise.race([sleep(POLL_INTERVAL_MS), ...exits]);
  }
}

const ADDRESS_IN_USE = /Address already in use/i;

async function exitError(node: KafkaNodeProcess, started: readonly KafkaNodeProcess[]): Promise<KafkaLauncherError> {
  const exit = await node.exited;
  const logTail = node.logTail(LOG_TAIL_LINES);
  const logText = node.logText();
  await Promise.all(started.map((n) => n.kill()));
  const pids = started.flatMap((n) => n.pids.slice(-1));
  const { nodeId, port, controllerPort } = node.layout;
  if (ADDRESS_IN_USE.test(logText)) {
    // Kafka names the address it failed to bind: "Socket server failed to bind to 127.0.0.1:40123: Address already...".
    const named = /bind to [^\s:]*:(\d+)/i.exec(logText)?.[1];
    const busy = named !== undefined ? Number(named) : port;
    return new KafkaLauncherError(
      'PORT_IN_USE',
      `Kafka node ${nodeId} could not bind port ${busy} on 127.0.0.1 (its ports: ${port}, controller ${controllerPort}): ` +
        `address already in use\n${logTail}`,
      { nodeId, port: busy, pids },
    );
  }
  const how = exit.error
    ? `could not be started: ${exit.error.message}`
    : `exited with ${exit.signal ?? `code ${exit.code}`}`;
  return new KafkaLauncherError('EXITED', `Kafka node ${nodeId} ${how} before it was ready\n${logTail}`, {
    nodeId,
    pids,
    cause: exit.error,
  });
}

/**
 * Distinct free ports on 127.0.0.1: listen on port 0 for each (all at once, so the kernel cannot hand out one twice),
 * then close. A port can still be taken before the broker binds it; the broker's failure then says PORT_IN_USE.
 */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((server) => (server.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

function pairs(ports: readonly number[]): { port: number; controllerPort: number }[] {
  const result: { port: number; controllerPort: number }[] = [];
  for (let i = 0; i + 1 < ports.length; i += 2) {
    const [port = 0, controllerPort = 0] = ports.slice(i, i + 2);
    result.push({ port, controllerPort });
  }
  return result;
}

// Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding. Like Kafka's own Uuid.randomUuid, avoid
// a leading '-', which command-line parsers would take for an option. Generating it here saves a JVM start.
function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
