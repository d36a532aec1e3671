// What native-consume.ts passes to a drain worker and what it prints back (kept apart from drain-worker.ts, which
// runs on import).

/**
 * `client`: the current client as the bench's raw-consume rung uses it. `native`: the prototype, touching each
 * record's value length (a column read). `native-views`: the prototype, making each record's key and value Buffer
 * views, as a runtime does when a serde needs them. `*-passthrough`: consume → produce to `outputTopic` (3 partitions,
 * keyed), done once every record is delivered and reported (passthrough.ts).
 */
export type Variant = 'client' | 'native' | 'native-views' | 'client-passthrough' | 'native-passthrough';

export const VARIANTS: readonly Variant[] = [
  'client',
  'native',
  'native-views',
  'client-passthrough',
  'native-passthrough',
];

export interface DrainArgs {
  readonly variant: Variant;
  readonly bootstrapServers: string;
  readonly topic: string;
  /** For the passthrough variants: the timed run's output; the warm-up writes to `<outputTopic>-warmup`. */
  readonly outputTopic: string;
  readonly groupId: string;
  readonly records: number;
  readonly batch: number;
  /** librdkafka consumer properties added to both clients' (`--consumer-config`), e.g. `fetch.queue.backoff.ms`. */
  readonly consumerConfig: Readonly<Record<string, string>>;
  readonly brokerPids: readonly number[];
  readonly ticksPerSecond: number;
}

export interface DrainResult {
  readonly variant: Variant;
  readonly records: number;
  /** First record to the last one seen (passthrough: to the last delivery report). */
  readonly drainedSeconds: number;
  /** First record until the consumer is closed. */
  readonly seconds: number;
  /** This process's CPU (all threads) from the first record to the last. */
  readonly cpuSeconds: number;
  readonly brokerCpuSeconds: number | null;
  readonly machineBusyCores: number;
  readonly batches: number;
  /** CPU of this process's threads over the timed run, by thread name (the JS thread is `node`). */
  readonly threadCpuSeconds: Readonly<Record<string, number>>;
  readonly peakRssMb: number;
}
