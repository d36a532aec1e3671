import { KafkaStreams, consoleLogger, silentLogger } from '@kaskade/core';
import type { Logger, ProcessingGuarantee, Topology } from '@kaskade/core';
import { Progress } from './progress.js';
import { runtimeLogging } from './runtime-logging.js';
import type { RungContext, RungResult } from './rung.js';

/** Commit interval of the exactly-once rungs, as Kafka Streams' default under exactly_once_v2. */
export const EOS_COMMIT_INTERVAL_MS = 100;

/**
 * Runs a topology with KafkaStreams until its probe processor has seen every input record, then closes it (close
 * commits, which flushes the producer, and leaves the group) and stops the clock. The topology builder gets a
 * {@link Progress} that its processor must `add(1)` for each record: that starts the clock at the first record.
 */
export async function runKaskade(
  ctx: RungContext,
  guarantee: ProcessingGuarantee,
  buildTopology: (progress: Progress) => Topology,
): Promise<RungResult> {
  const progress = new Progress(ctx.records, () => ctx.markStart());
  ctx.setProgressSource(() => progress.count);
  // Quiet, but an error the runtime only logs (a failed commit on close) still fails the rung.
  const loggedErrors: string[] = [];
  const base: Logger = runtimeLogging.verbose ? consoleLogger({ level: 'warn' }) : silentLogger;
  const logger: Logger = {
    debug: base.debug,
    info: base.info,
    warn: base.warn,
    error: (message, fields) => {
      loggedErrors.push(message);
      base.error(message, fields);
    },
  };
  const streams = new KafkaStreams(buildTopology(progress), {
    applicationId: ctx.groupId,
    bootstrapServers: ctx.bootstrapServers,
    stateDir: ctx.stateDir,
    processingGuarantee: guarantee,
    ...(guarantee === 'exactly_once_v2' ? { commitIntervalMs: EOS_COMMIT_INTERVAL_MS } : {}),
    maxPollRecords: ctx.batchSize,
    logger,
  });
  streams.onStateChange(({ to }) => {
    if (to === 'PENDING_ERROR' || to === 'ERROR') {
      progress.fail(streams.error ?? new Error(`KafkaStreams went to ${to}`));
    }
  });
  await streams.start();
  let failure: unknown;
  try {
    await progress.done;
    ctx.markDrained();
  } catch (e) {
    failure = e;
  }
  const closed = await streams.close({ timeoutMs: 60_000 });
  if (failure !== undefined) throw failure;
  if (!closed) throw new Error('KafkaStreams.close() timed out after 60 s');
  if (streams.error) throw streams.error;
  if (loggedErrors.length > 0) throw new Error(`the runtime logged an error: ${loggedErrors[0]}`);
  const processed = streams.metrics().processed;
  if (processed < ctx.records) throw new Error(`metrics().processed is ${processed}, expected ${ctx.records}`);
  return { records: processed };
}
