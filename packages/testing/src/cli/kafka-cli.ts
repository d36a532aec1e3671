// `npm run kafka -- [--brokers 3] [--heap-mb 1024]`: a real Apache Kafka cluster in the foreground, for trying
// things by hand. Prints where it listens; Ctrl+C (or SIGTERM) stops it and removes its data.
import { parseArgs } from 'node:util';
import { KafkaLauncherError } from '../kafka/kafka-launcher-error.js';
import { startKafka } from '../kafka/start-kafka.js';

const USAGE = `usage: npm run kafka -- [--brokers 1|3] [--heap-mb <MiB>]

Starts Apache Kafka (KRaft, bound to 127.0.0.1) until Ctrl+C. Run the broker tests against it with
  KASKADE_BOOTSTRAP_SERVERS=<the printed servers> npm run test:broker`;

async function main(): Promise<number> {
  let values: { brokers?: string; 'heap-mb'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        brokers: { type: 'string', short: 'b' },
        'heap-mb': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const brokers = Number(values.brokers ?? '1');
  const heapMb = values['heap-mb'] === undefined ? undefined : Number(values['heap-mb']);
  if ((brokers !== 1 && brokers !== 3) || (heapMb !== undefined && !(Number.isInteger(heapMb) && heapMb > 0))) {
    console.error(USAGE);
    return 2;
  }

  // Listen before starting, so that a Ctrl+C during the start still stops what was started. While these listeners
  // are installed the launcher leaves the shutdown to them; it only kills the JVMs itself when the process exits, as
  // it does on a second Ctrl+C.
  let stopping = false;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) process.exit(130);
      stopping = true;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

  console.error(`[kafka] starting ${brokers === 3 ? 'a three-node cluster' : 'a single node'} ...`);
  const started = Date.now();
  const cluster = await Promise.race([startKafka({ brokers, heapMb }), stopSignal]);
  if (typeof cluster === 'string') {
    // Interrupted during start: exiting runs the launcher's exit hook, which kills the JVMs and removes their data.
    console.error(`[kafka] interrupted (${cluster}) while starting`);
    return 130;
  }
  console.log(`KAFKA_BOOTSTRAP_SERVERS=${cluster.bootstrapServers}`);
  console.log(`KAFKA_VERSION=${cluster.version}`);
  for (const node of cluster.nodes) {
    console.error(`[kafka] node ${node.nodeId}: pid ${node.pid}, port ${node.port}, log ${node.logFile}`);
  }
  console.error(`[kafka] Apache Kafka ${cluster.version} ready in ${Date.now() - started} ms; Ctrl+C stops it`);

  const signal = await stopSignal;
  console.error(`[kafka] ${signal}: stopping (Ctrl+C again to kill) ...`);
  await cluster.stop();
  console.error('[kafka] stopped');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof KafkaLauncherError ? `[kafka] ${error.code}: ${error.message}` : error);
    process.exit(1);
  },
);
