// The contract between the benchmark runner and one rung: a small module that drains the preloaded input topic(s) once
// and says how many records it handled. The worker process around it does the timing and the /proc accounting.

/** What a rung promises about processing; exactly-once rungs have their output checked for transaction markers. */
export type Guarantee = 'none' | 'at_least_once' | 'exactly_once_v2';

/** Everything a rung gets from the worker: where the data is, how much of it, and the clock hooks. */
export interface RungContext {
  readonly bootstrapServers: string;
  /** The preloaded input topic (3 partitions), to be drained from earliest. */
  readonly inputTopic: string;
  /**
   * The table of the stream-table join: one record per key (KEY_SPACE records), stamped before the input. Preloaded
   * only when a rung to run lists `'table'` in its `inputs`.
   */
  readonly tableTopic: string;
  /**
   * The input split in two: the same records (keys, timestamps) as `inputTopic`, even ones in `leftTopic`, odd ones
   * in `rightTopic` (see `splitSizes`). Preloaded only when a rung to run lists `'split'` in its `inputs`.
   */
  readonly leftTopic: string;
  readonly rightTopic: string;
  /** A fresh, empty output topic (3 partitions), created by the runner before the worker starts. */
  readonly outputTopic: string;
  /** A fresh consumer group id / Kaskade application id, unique to this run. */
  readonly groupId: string;
  /** A fresh directory for local state (removed by the runner afterwards). */
  readonly stateDir: string;
  /** Records in the input topic; the rung is done when it has handled all of them. */
  readonly records: number;
  readonly valueBytes: number;
  /** Records per consume call: `consume(n)` of the raw rungs and `maxPollRecords` of the Kaskade rungs. */
  readonly batchSize: number;
  /** Starts the clock (wall and CPU). Call it once, when the first record arrives; later calls are ignored. */
  markStart(): void;
  /**
   * Every input record is handled (consumed, or processed), before output is flushed and clients close. Reported as
   * `drainedSeconds`, so the flush-and-close tail shows separately.
   */
  markDrained(): void;
  /**
   * Stops the clock (wall and CPU) before `run` resolves, for a rung whose measured work ends before its teardown
   * (the restore rung: at the last `onRestoreEnd`, not after closing). Without it the clock stops when `run`
   * resolves. Later calls are ignored.
   */
  markEnd(): void;
  /** Tells the worker's stall watchdog how many records were handled so far. */
  setProgressSource(source: () => number): void;
}

/** What a rung returns once its clients are closed. The clock stops when `run` resolves. */
export interface RungResult {
  readonly records: number;
}

/** Topics a rung reads besides the main input; the runner preloads them once per value size, before round 1. */
export type ExtraInput = 'table' | 'split';

/** What every rung declares, whichever process runs it: the runner checks its output by these. */
export interface RungDescription {
  readonly name: string;
  readonly description: string;
  readonly guarantee: Guarantee;
  /** `'restore'`: records/s are records restored from a changelog, not records processed (the table says so). */
  readonly kind?: 'restore';
  /** True when the rung writes output records to the output topic; the runner then counts them (see `minOutput`). */
  readonly writesOutput: boolean;
  /**
   * The least number of output records a successful run of an `records`-record input writes (at-least-once may
   * write more, exactly-once adds transaction markers). Default: `records`, one output record per input record.
   */
  minOutput?(records: number): number;
  /** Extra preloaded topics the rung reads (see `RungContext.tableTopic`, `leftTopic`, `rightTopic`). */
  readonly inputs?: readonly ExtraInput[];
}

/** A rung of Kaskade (or of the raw client) that bench/rung-worker.ts runs in a Node.js process. */
export interface Rung extends RungDescription {
  /**
   * Untimed set-up, run once per value size before round 1 in a worker of its own. The rung's runs then get the same
   * group id (application id) as `prepare` did, and each a fresh state directory, so they find what it left behind
   * on the broker (the restore rung: a changelog).
   */
  prepare?(ctx: RungContext): Promise<void>;
  run(ctx: RungContext): Promise<RungResult>;
}

/** How Kafka Streams runs a scenario in bench/kafka-streams/ (see its README). */
export interface KafkaStreamsSpec {
  /** The scenario's name in bench/kafka-streams (`Scenario.java`). */
  readonly scenario: string;
  /** `statestore.cache.max.bytes`: Kafka Streams' default 10 MiB, or 0 (record cache off). */
  readonly cacheMaxBytes: number;
  /** Records the stream thread processes in all (its `process-total`): the run is done there. */
  processTarget(records: number): number;
}

/** A rung that Kafka Streams itself runs, in a JVM of its own (bench/kafka-streams/Worker.java). */
export interface KafkaStreamsRung extends RungDescription {
  readonly kafkaStreams: KafkaStreamsSpec;
}

export type AnyRung = Rung | KafkaStreamsRung;

export function isKafkaStreamsRung(rung: AnyRung): rung is KafkaStreamsRung {
  return 'kafkaStreams' in rung;
}
