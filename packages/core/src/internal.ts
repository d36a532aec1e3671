// @kaskade/core/internal — what the other Kaskade packages (the DSL, the TopologyTestDriver, tests and benchmarks)
// need of the runtime. NOT a stable API: it changes with the runtime, in any release. Applications use the root
// export.

// Kafka client adapter
export { KafkaAdmin } from './kafka/kafka-admin.js';
export type { GroupInfo, OffsetQuery } from './kafka/kafka-admin.js';
export { KafkaConsumerClient } from './kafka/kafka-consumer-client.js';
export type { ConsumerClientOptions, RebalanceEvent, ConsumeCallback } from './kafka/kafka-consumer-client.js';
export { KafkaProducerClient } from './kafka/kafka-producer-client.js';
export type { ProducerClientOptions } from './kafka/kafka-producer-client.js';
export { NativeProducerClient } from './kafka/native/native-producer-client.js';
export { NativeConsumer } from './kafka/native/native-consumer.js';
export { NativeConsumerClient } from './kafka/native/native-consumer-client.js';
export type { ConsumerClient } from './kafka/consumer-client.js';
export type { ColumnarBatch } from './kafka/native/columnar-batch.js';
export type { ProducerClient } from './kafka/producer-client.js';
export { fromWireHeaders, toWireHeaders } from './kafka/message-headers.js';
export { describeTopicConfigs } from './kafka/describe-topic-configs.js';
export type {
  ConsumedMessage,
  DeliveryReport,
  NewTopicSpec,
  TopicPartition,
  TopicPartitionOffset,
  WireHeaders,
} from './kafka/kafka-types.js';

// Configuration parsing
export { parseStreamsConfig, streamsConfigSchema } from './config/streams-config.js';

// Topology internals: node definitions, sub-topologies and internal topics
export type {
  NodeDef,
  SourceNodeDef,
  ProcessorNodeDef,
  SinkNodeDef,
  StoreDef,
  InternalTopicDef,
} from './topology/node-definitions.js';
export type { Subtopology } from './topology/subtopology.js';
export { internalTopicName, planTopics } from './topology/internal-topic-planner.js';
export type { TopicPlan } from './topology/internal-topic-planner.js';

// Runtime internals shared with @kaskade/testing's TopologyTestDriver (same task code, no broker)
export { StreamTask } from './runtime/stream-task.js';
export { GlobalStateUpdateTask } from './runtime/global-state-update-task.js';
export { changelogTopicName } from '@kaskade/state-store/internal';
export { AsyncFlowControl } from './runtime/async/async-flow-control.js';
export { resolveAsyncOptions } from './runtime/async/resolved-async-options.js';
export type { TaskEnvironment } from './runtime/task-environment.js';
export { ProcessorMetadata, processorMetadataOf } from './runtime/processor-metadata.js';
export { decodeCommitMetadata, encodeCommitMetadata } from './runtime/commit-metadata.js';
export { processorMetadataContext } from './runtime/processor-metadata-context.js';
export type { ProcessorMetadataContext } from './runtime/processor-metadata-context.js';
export type { RecordCollector } from './runtime/record-collector.js';

// The producer side of the runtime, for broker tests of its transaction handling
export { StreamsProducer } from './runtime/streams-producer.js';
export { KafkaRecordCollector } from './runtime/kafka-record-collector.js';

// What an instance's observability reports (tasks, partitions, positions), for tests that diagnose a stall
export { observedStatus } from './runtime/kafka-streams.js';
