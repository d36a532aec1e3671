import { KafkaStreams, consoleLogger, silentLogger } from '@kaskade/core';
import type { KafkaStreamsOptions, Logger, ProcessingGuarantee, StreamsConfigInput, Topology } from '@kaskade/core';
import { Progress } from './progress.js';
import { runtimeLogging } from './runtime-logging.js';
import type { RungContext, RungResult } from './rung.js';
import { StartProbe } from './start-probe.js';

/** Commit interval of the exactly-once rungs, as Kafka Streams' default under exactly_once_v2. */
export const EOS_COMMIT_INTERVAL_MS = 100;

/** How often a DSL rung looks at `metrics().processed` (between the runtime's batches). */
const PROCESSED_POLL_MS = 1;

/** A KafkaStreams instance configured as every Kaskade rung runs it, and the errors its runtime only logged. */
export interface BenchStreams {
  readonly streams: KafkaStreams;
  /** Errors the runtime only logs (a failed commit on close): they still fail the rung (see `closeAndCheck`). */
  readonly loggedErrors: readonly string[];
}

/** Creates the instance: the rung's group id as application id, its state directory, `maxPollRecords` = batch. */
export function createStreams(
  ctx: RungContext,
  guarantee: ProcessingGuarantee,
  topology: Topology,
  options: KafkaStreamsOptions = {},
  extraConfig: Partial<StreamsConfigInput> = {},
): BenchStreams {
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
  const streams = new KafkaStreams(
    topology,
    {
      applicationId: ctx.groupId,
      bootstrapServers: ctx.bootstrapServers,
      stateDir: ctx.stateDir,
      processingGuarantee: guarantee,
      ...(guarantee === 'exactly_once_v2' ? { commitIntervalMs: EOS_COMMIT_INTERVAL_MS } : {}),
      maxPollRecords: ctx.batchSize,
      logger,
      // Settings to try without editing the rungs, as JSON (e.g. '{"stateStoreUncommittedMaxBytes":16777216}').
      ...(JSON.parse(process.env['KASKADE_BENCH_STREAMS_CONFIG'] ?? '{}') as object),
      ...extraConfig,
    },
    options,
  );
  return { streams, loggedErrors };
}

/** Calls `onError` once the instance goes to (PENDING_)ERROR. */
export function onStreamsError({ streams }: BenchStreams, onError: (error: Error) => void): void {
  streams.onStateChange(({ to }) => {
    if (to === 'PENDING_ERROR' || to === 'ERROR') onError(streams.error ?? new Error(`KafkaStreams went to ${to}`));
  });
}

/**
 * Closes the instance (close commits, which flushes the producer, and leaves the group) and fails on anything that
 * went wrong: `failure` (from waiting for the records), a close that timed out, an error state, a logged error.
 */
export async function closeAndCheck(bench: BenchStreams, failure: unknown): Promise<void> {
  const { streams, loggedErrors } = bench;
  const closed = await streams.close({ timeoutMs: 60_000 });
  if (failure !== undefined) throw failure;
  if (!closed) throw new Error('KafkaStreams.close() timed out after 60 s');
  if (streams.error) throw streams.error;
  if (loggedErrors.length > 0) throw new Error(`the runtime logged an error: ${loggedErrors[0]}`);
}

/**
 * Runs a topology with KafkaStreams until its probe processor has seen every input record, then closes it and stops
 * the clock. The topology builder gets a {@link Progress} that its processor must `add(1)` for each record: that
 * starts the clock at the first record.
 */
export async function runKaskade(
  ctx: RungContext,
  guarantee: ProcessingGuarantee,
  buildTopology: (progress: Progress) => Topology,
): Promise<RungResult> {
  const progress = new Progress(ctx.records, () => ctx.markStart());
  ctx.setProgressSource(() => progress.count);
  const bench = createStreams(ctx, guarantee, buildTopology(progress));
  onStreamsError(bench, (e) => progress.fail(e));
  await bench.streams.start();
  let failure: unknown;
  try {
    await progress.done;
    ctx.markDrained();
  } catch (e) {
    failure = e;
  }
  await closeAndCheck(bench, failure);
  const processed = bench.streams.metrics().processed;
  if (processed < ctx.records) throw new Error(`metrics().processed is ${processed}, expected ${ctx.records}`);
  return { records: processed };
}

/** What a DSL rung may add to the common set-up (the observed rung: its server and metrics, and a scraper). */
export interface RunExtras {
  /** Merged into the instance's config after the rung's settings. */
  readonly config?: Partial<StreamsConfigInput>;
  /** Started once `start()` has resolved; the function it returns is called when the records are processed. */
  readonly whileRunning?: (streams: KafkaStreams) => () => void;
}

/**
 * Runs a DSL topology until the runtime has processed `expected` records (`metrics().processed`, over all source
 * topics), then closes it and stops the clock. Nothing in the topology counts: the builder gets a
 * {@link StartProbe} to wrap its sources' key serdes with, which starts the clock at the first record, and the end
 * is seen by polling the runtime's counter between its batches (every millisecond; the runtime's loop yields
 * between batches, so the end is seen within a millisecond of the last batch).
 */
export async function runUntilProcessed(
  ctx: RungContext,
  guarantee: ProcessingGuarantee,
  expected: number,
  buildTopology: (probe: StartProbe) => Topology,
  extras: RunExtras = {},
): Promise<RungResult> {
  const bench = createStreams(ctx, guarantee, buildTopology(new StartProbe(() => ctx.markStart())), {}, extras.config);
  const { streams } = bench;
  ctx.setProgressSource(() => streams.metrics().processed);
  let poll: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve, reject) => {
    onStreamsError(bench, reject);
    poll = setInterval(() => {
      if (streams.metrics().processed >= expected) resolve();
    }, PROCESSED_POLL_MS);
  });
  // An error during start() rejects `done` before anyone awaits it: not an unhandled rejection.
  done.catch(() => undefined);
  let failure: unknown;
  let stopSideJob: (() => void) | undefined;
  try {
    await streams.start();
    stopSideJob = extras.whileRunning?.(streams);
    await done;
    ctx.markDrained();
  } catch (e) {
    failure = e;
  } finally {
    clearInterval(poll);
    stopSideJob?.();
  }
  await closeAndCheck(bench, failure);
  const processed = streams.metrics().processed;
  if (processed < expected) throw new Error(`metrics().processed is ${processed}, expected ${expected}`);
  return { records: processed };
}
