import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where one node keeps its files, and the ports it listens on. */
export interface KafkaNodeLayout {
  readonly nodeId: number;
  readonly port: number;
  readonly controllerPort: number;
  /** `<cluster dir>/node-<id>`: everything of this node, removed with the cluster. */
  readonly dir: string;
  readonly propertiesFile: string;
  readonly log4jFile: string;
  /** The broker's log (log4j2, INFO). */
  readonly logFile: string;
  /** The JVM's own stdout and stderr (crashes before logging starts, JVM errors). */
  readonly stdoutFile: string;
}

/** The files of node `nodeId` under the cluster's directory. */
export function nodeLayout(clusterDir: string, nodeId: number, port: number, controllerPort: number): KafkaNodeLayout {
  const dir = join(clusterDir, `node-${nodeId}`);
  return {
    nodeId,
    port,
    controllerPort,
    dir,
    propertiesFile: join(dir, 'server.properties'),
    log4jFile: join(dir, 'log4j2.properties'),
    logFile: join(dir, 'server.log'),
    stdoutFile: join(dir, 'jvm.out'),
  };
}

/**
 * The broker configuration of one node of a combined-mode KRaft cluster on loopback: every node is broker and
 * controller. One node forms a dynamic quorum of itself (formatted `--standalone`); three nodes use static voters.
 * `overrides` win over the defaults.
 */
export function brokerProperties(
  node: KafkaNodeLayout,
  cluster: readonly KafkaNodeLayout[],
  overrides: Readonly<Record<string, string>>,
): Record<string, string> {
  const replication = String(Math.min(cluster.length, 3));
  const minIsr = String(Math.min(cluster.length, 2));
  const quorum: Record<string, string> =
    cluster.length === 1
      ? { 'controller.quorum.bootstrap.servers': `127.0.0.1:${node.controllerPort}` }
      : { 'controller.quorum.voters': cluster.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(',') };
  return {
    'process.roles': 'broker,controller',
    'node.id': String(node.nodeId),
    listeners: `PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${node.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    ...quorum,
    'log.dirs': join(node.dir, 'data'),
    'num.partitions': '1',
    // Fewer partitions of the internal topics: they are created on first use, and loading 50 of them makes the
    // first consumer group or transaction of a test wait.
    'offsets.topic.num.partitions': '5',
    'offsets.topic.replication.factor': replication,
    'transaction.state.log.num.partitions': '5',
    'transaction.state.log.replication.factor': replication,
    'transaction.state.log.min.isr': minIsr,
    'share.coordinator.state.topic.replication.factor': replication,
    'share.coordinator.state.topic.min.isr': minIsr,
    // Tests start consumers one after another; waiting 3 s for more members to join only slows them down.
    'group.initial.rebalance.delay.ms': '0',
    // The consumer group protocol (KIP-848) takes the session timeout and heartbeat from the broker (45 s and 5 s by
    // default): tests that kill members want them found dead within seconds, as their classic consumers set.
    'group.consumer.min.session.timeout.ms': '6000',
    'group.consumer.session.timeout.ms': '6000',
    'group.consumer.min.heartbeat.interval.ms': '500',
    'group.consumer.heartbeat.interval.ms': '1000',
    // A typo in a test's topic name must fail, not silently create a topic.
    'auto.create.topics.enable': 'false',
    ...overrides,
  };
}

/** Writes the node's `server.properties` and a log4j2 configuration that logs to `server.log`. */
export function writeNodeConfig(node: KafkaNodeLayout, properties: Readonly<Record<string, string>>): void {
  mkdirSync(join(node.dir, 'data'), { recursive: true });
  const lines = Object.entries(properties).map(([key, value]) => `${key}=${escapeValue(value)}`);
  writeFileSync(node.propertiesFile, `${lines.join('\n')}\n`);
  writeFileSync(node.log4jFile, log4jProperties(node.logFile));
}

// Without a configuration log4j2 prints almost nothing, so a broker that fails to start would leave no clue.
function log4jProperties(logFile: string): string {
  return [
    'status = warn',
    'appender.file.type = File',
    'appender.file.name = file',
    `appender.file.fileName = ${escapeValue(logFile)}`,
    'appender.file.append = true',
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d{ISO8601}] %p %m (%c)%n',
    'rootLogger.level = info',
    'rootLogger.appenderRef.file.ref = file',
    // One line per partition and state change: noise in a test broker's log tail.
    'logger.stateChange.name = state.change.logger',
    'logger.stateChange.level = warn',
    'logger.request.name = kafka.request.logger',
    'logger.request.level = warn',
    'logger.storage.name = org.apache.kafka.storage.internals.log',
    'logger.storage.level = warn',
    'logger.log.name = kafka.log',
    'logger.log.level = warn',
    '',
  ].join('\n');
}

// Java properties files treat a backslash as an escape; paths and values must keep theirs.
function escapeValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}
