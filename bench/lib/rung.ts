// The contract between the benchmark runner and one rung: a small module that drains the preloaded input topic once
// and says how many records it handled. The worker process around it does the timing and the /proc accounting.

/** What a rung promises about processing; exactly-once rungs have their output checked for transaction markers. */
export type Guarantee = 'none' | 'at_least_once' | 'exactly_once_v2';

/** Everything a rung gets from the worker: where the data is, how much of it, and the clock hooks. */
export interface RungContext {
  readonly bootstrapServers: string;
  /** The preloaded input topic (3 partitions), to be drained from earliest. */
  readonly inputTopic: string;
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
  /** Tells the worker's stall watchdog how many records were handled so far. */
  setProgressSource(source: () => number): void;
}

/** What a rung returns once its clients are closed. The clock stops when `run` resolves. */
export interface RungResult {
  readonly records: number;
}

export interface Rung {
  readonly name: string;
  readonly description: string;
  readonly guarantee: Guarantee;
  /** True when the rung writes every input record (or a record derived from it) to the output topic. */
  readonly writesOutput: boolean;
  run(ctx: RungContext): Promise<RungResult>;
}
