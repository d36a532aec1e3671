// Long-running exactly-once verification (npm run verify:eos -- --records N --replicas R --kills K [--async]
// [--storm-seconds S]). --async puts an asynchronous processor in front of the echo and the repartition topic.
// --storm-seconds: a rebalance storm instead of kills one at a time: for S seconds a random replica is stopped, killed
// or started every 1-3 s while the records are produced (e.g. --replicas 3 --storm-seconds 120).
// Uses KASKADE_BOOTSTRAP_SERVERS, or starts a local broker. The last line states records, kills, duplicates and losses.
import { parseArgs } from 'node:util';
import { startKafka } from '@kaskade/testing';
import { runEosVerification } from '../test/eos/eos-verification.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    replicas: { type: 'string', default: '3' },
    kills: { type: 'string', default: '10' },
    async: { type: 'boolean', default: false },
    'storm-seconds': { type: 'string' },
  },
});
const configured = process.env['KASKADE_BOOTSTRAP_SERVERS'];
const cluster = configured ? undefined : await startKafka({ brokers: 1 });
const bootstrapServers = configured ?? cluster!.bootstrapServers;
try {
  const result = await runEosVerification({
    bootstrapServers,
    records: Number(values.records),
    replicas: Number(values.replicas),
    kills: Number(values.kills),
    asyncStage: values.async,
    ...(values['storm-seconds'] ? { stormMs: Number(values['storm-seconds']) * 1000 } : {}),
    log: (line) => console.log(line),
  });
  for (const e of result.errors) console.log(`[verify] ERROR ${e}`);
  console.log(
    `[verify] replayed ${result.restoredRecords} changelog records after restarts; ${result.skippedByStoredOffsets} were already in the stores (committed offsets)`,
  );
  console.log(
    `records=${result.records} kills=${result.kills} cleanRestarts=${result.cleanRestarts} duplicates=${result.duplicates} losses=${result.losses} errors=${result.errors.length} openTransactions=${result.openTransactions} seconds=${result.seconds}`,
  );
  process.exitCode =
    result.duplicates === 0 && result.losses === 0 && result.errors.length === 0 && result.openTransactions === 0
      ? 0
      : 1;
} finally {
  await cluster?.stop();
}
