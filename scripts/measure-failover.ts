// Failover with and without a standby (npm run measure:failover -- [--records N] [--guarantee at_least_once]):
// the owner of an N-record table (default 1 000 000) is SIGKILLed; prints the time until the survivor processes
// again and how many records it restored, with numStandbyReplicas 1 and 0, side by side.
// Uses KASKADE_BOOTSTRAP_SERVERS, or starts a local broker.
import { parseArgs } from 'node:util';
import { startKafka } from '@kaskade/testing';
import { runFailover } from '../test/failover/failover-run.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    guarantee: { type: 'string', default: 'exactly_once_v2' },
  },
});
const guarantee = values.guarantee as 'at_least_once' | 'exactly_once_v2';
if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once_v2') {
  throw new Error(`--guarantee: must be at_least_once or exactly_once_v2, got ${values.guarantee}`);
}
const records = Number(values.records);
const configured = process.env['KASKADE_BOOTSTRAP_SERVERS'];
const cluster = configured ? undefined : await startKafka({ brokers: 1 });
const bootstrapServers = configured ?? cluster!.bootstrapServers;
try {
  const log = (line: string) => console.log(line);
  const results = [];
  for (const standbys of [1, 0])
    results.push(await runFailover({ bootstrapServers, records, standbys, guarantee, log }));
  for (const r of results) {
    console.log(
      `numStandbyReplicas=${r.standbys} records=${r.records} guarantee=${guarantee} killToProcessingMs=${r.killToProcessingMs} ` +
        `restored=${r.restored} restoredPercent=${((100 * r.restored) / r.records).toFixed(3)}`,
    );
  }
  process.exitCode = results[0]!.restored <= records / 100 ? 0 : 1;
} finally {
  await cluster?.stop();
}
