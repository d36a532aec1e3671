// One processing replica of the exactly-once verification, as its own process:
//   node --conditions=kaskade-source --import tsx test/eos/eos-replica.ts <bootstrap> <applicationId> <instanceId> <stateDir> <topicPrefix> [async]
// The instance id is stable across restarts, so a restarted replica fences its own zombie transaction at once.
import { KafkaStreams } from '@kaskade/core';
import { eosTopology } from './eos-topology.js';

const [bootstrapServers, applicationId, instanceId, stateDir, prefix, stage] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string | undefined,
];
const say = (event: object) => process.stdout.write(`${JSON.stringify({ pid: process.pid, instanceId, ...event })}\n`);
const streams = new KafkaStreams(
  eosTopology((t) => `${prefix}-${t}`, { asyncStage: stage === 'async' }),
  {
    applicationId,
    bootstrapServers,
    stateDir,
    instanceId,
    processingGuarantee: 'exactly_once_v2',
    logger: {
      debug() {},
      // The group protocol the replica chose, for the verifier's log.
      info: (m) => (m.startsWith('group protocol') ? say({ event: 'protocol', message: m }) : undefined),
      warn: (m) => say({ event: 'warn', message: m }),
      error: (m) => say({ event: 'error', message: m }),
    },
  },
  {
    restoreListener: {
      onRestoreEnd: (p) => say({ event: 'restore-end', ...p }),
    },
  },
);
streams.onStateChange(({ to }) => say({ event: 'state', state: to }));
const stop = () => void streams.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => {
  const m = streams.metrics();
  say({ event: 'progress', processed: m.processed, commits: m.commits, tasks: m.activeTasks, state: streams.state });
}, 250);
await streams.start();
