// One replica of the failover measurement as its own process (SIGKILLed by test/failover/failover-run.ts):
//   node --conditions=kaskade-source --import tsx test/failover/failover-replica.ts \
//     <bootstrap> <applicationId> <input> <stateDir> <instanceId> <numStandbyReplicas> <guarantee>
// A table: each input record is put into a persistent, changelogged store under its key. Prints JSON lines with the
// time: progress (the instance's metrics, and the keys in its table) every 50 ms, and each restoration's end.
import type { KeyValueStore, ProcessorContext, Record } from '@kaskade/processor-api';
import { KafkaStreams, QueryableStoreTypes, Serdes, Topology } from '@kaskade/core';
import { Stores } from '@kaskade/state-store';

export const TABLE_STORE = 'table';

const [bootstrapServers, applicationId, input, stateDir, instanceId, standbys, guarantee] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
  'at_least_once' | 'exactly_once_v2',
];
const say = (event: object) => process.stdout.write(`${JSON.stringify({ t: Date.now(), ...event })}\n`);
const S = Serdes.String();
const topology = new Topology()
  .addSource('source', input, { keySerde: S, valueSerde: S })
  .addProcessor(
    'put',
    () => {
      let store: KeyValueStore<string, string>;
      return {
        init(c: ProcessorContext<never, never>) {
          store = c.getStateStore(TABLE_STORE);
        },
        process(r: Record<string, string>) {
          store.put(r.key, r.value);
        },
      };
    },
    'source',
  )
  .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TABLE_STORE), S, S), 'put');
const streams = new KafkaStreams(
  topology,
  {
    applicationId,
    bootstrapServers,
    stateDir,
    instanceId,
    numStandbyReplicas: Number(standbys),
    processingGuarantee: guarantee,
    commitIntervalMs: guarantee === 'exactly_once_v2' ? 100 : 300,
    logger: {
      debug() {},
      info() {},
      warn: (m) => say({ event: 'warn', message: m }),
      error: (m) => say({ event: 'error', message: m }),
    },
    consumerConfig: { 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 1000 },
  },
  { restoreListener: { onRestoreEnd: (p) => say({ event: 'restore-end', ...p }) } },
);
const stop = () => void streams.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
/** Keys in the table here (LMDB counts them exactly); undefined while the store cannot be queried. */
function entries(): number | undefined {
  if (streams.state !== 'RUNNING' || !streams.metrics().activeTasks.includes('0_0')) return undefined;
  try {
    return streams.store(TABLE_STORE, QueryableStoreTypes.keyValueStore<string, string>()).approximateNumEntries();
  } catch {
    return undefined;
  }
}
setInterval(() => say({ event: 'progress', state: streams.state, entries: entries(), ...streams.metrics() }), 50);
await streams.start();
