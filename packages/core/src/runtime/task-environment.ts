import type { Serde, StateStore, TimestampExtractor } from '@kaskade/processor-api';
import type { Logger } from '../config/logger.js';
import type {
  DeserializationExceptionHandler,
  ProcessingExceptionHandler,
  ProductionExceptionHandler,
} from '../errors/exception-handlers.js';
import type { RecordCollector } from './record-collector.js';
import type { TaskIdling } from './partition-group.js';

/**
 * What a task needs from the process it runs in. The runtime (`KafkaStreams`) and the `TopologyTestDriver` each
 * provide one, so both run the very same task code.
 */
export interface TaskEnvironment {
  readonly applicationId: string;
  readonly appConfigs: Readonly<{ [key: string]: unknown }>;
  readonly defaultKeySerde: Serde<unknown>;
  readonly defaultValueSerde: Serde<unknown>;
  readonly defaultTimestampExtractor: TimestampExtractor;
  readonly deserializationExceptionHandler: DeserializationExceptionHandler;
  readonly processingExceptionHandler: ProcessingExceptionHandler;
  /** Sink serialization errors and undeliverable records; absent = fail (Kafka Streams' default). */
  readonly productionExceptionHandler?: ProductionExceptionHandler;
  readonly collector: RecordCollector;
  readonly wallClockMs: () => number;
  /** `<stateDir>/<applicationId>`: task directories are created below it. */
  readonly appStateDir: string;
  readonly cacheMaxBytesPerTask: number;
  /** Maps a topic name as written in the topology to the real topic (internal topics get the application prefix). */
  readonly resolveTopic: (name: string) => string;
  readonly logger: Logger;
  /** Task idling (`maxTaskIdleMs` and the partitions' lags); absent: tasks never wait for a partition. */
  readonly idling?: TaskIdling;
  /** The instance's global stores by name (`addGlobalStore`): readable by every processor without connecting. */
  readonly globalStore?: (name: string) => StateStore | undefined;
}
