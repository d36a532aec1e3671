// What the runner passes to a rung worker (one JSON argument) and what the worker prints back (one JSON line).

export interface WorkerArgs {
  readonly rung: string;
  /** `'prepare'` runs the rung's untimed `prepare` instead of `run` and prints a success without measures. */
  readonly phase: 'run' | 'prepare';
  readonly bootstrapServers: string;
  readonly inputTopic: string;
  readonly tableTopic: string;
  readonly leftTopic: string;
  readonly rightTopic: string;
  readonly outputTopic: string;
  readonly groupId: string;
  readonly stateDir: string;
  readonly records: number;
  readonly valueBytes: number;
  readonly batchSize: number;
  readonly clockTicksPerSecond: number;
  /** Process ids of the broker's JVMs, when known: their CPU time over the same window is reported too. */
  readonly brokerPids: readonly number[];
  /** Fail when no record was handled for this long. */
  readonly stallSeconds: number;
  readonly verbose: boolean;
  /**
   * Where the untimed warm-up run goes: the worker first runs the rung once on the same input under this group id
   * (application id), output topic and state directory, then the timed run in the same process, so that both V8 and
   * the JVM are warm as in a long-running application. Absent: a cold run (`--cold`, or a rung with `prepare`).
   */
  readonly warmup?: WarmupTarget;
  /** Kafka Streams rungs only (bench/kafka-streams): the scenario and its settings. */
  readonly kafkaStreams?: {
    readonly scenario: string;
    readonly cacheMaxBytes: number;
    readonly guarantee: string;
    readonly processTarget: number;
  };
}

/** The warm-up run's own group id, output topic (created by the runner when the rung writes output) and state dir. */
export interface WarmupTarget {
  readonly groupId: string;
  readonly outputTopic: string;
  readonly stateDir: string;
}

export interface WorkerSuccess {
  readonly ok: true;
  readonly rung: string;
  readonly records: number;
  /** From the first record to the end of `run` (output flushed, clients closed), or to `markEnd()`. */
  readonly seconds: number;
  /** From the first record until every record was handled, before the flush-and-close tail. */
  readonly drainedSeconds: number;
  /** From the worker's call of `run` to the first record: connecting, joining the group, opening stores. */
  readonly startupSeconds: number;
  /** utime + stime of the worker (all threads) over `seconds`, from /proc/self/stat. */
  readonly cpuSeconds: number;
  /** Peak RSS (VmHWM) of the worker over its whole life. */
  readonly peakRssMb: number;
  /** CPU time of the broker's JVMs over `seconds`, when their pids are known. */
  readonly brokerCpuSeconds: number | null;
  /** Average busy cores of the whole machine over `seconds` (out of `cores`): near `cores` means CPU-bound. */
  readonly machineBusyCores: number;
  readonly cores: number;
}

export interface WorkerFailure {
  readonly ok: false;
  readonly rung: string;
  readonly error: string;
  /** Records handled before the failure. */
  readonly progress: number;
}

export type WorkerOutput = WorkerSuccess | WorkerFailure;
