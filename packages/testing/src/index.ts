// @kaskade/testing — the TopologyTestDriver (no broker) and a launcher for a real Apache Kafka broker.
export { TopologyTestDriver } from './driver/topology-test-driver.js';
export type { TopologyTestDriverConfig } from './driver/topology-test-driver.js';
export { TestInputTopic } from './driver/test-input-topic.js';
export { TestOutputTopic } from './driver/test-output-topic.js';
export type { TestRecord, CapturedRecord } from './driver/test-record.js';
export { startKafka } from './kafka/start-kafka.js';
export type { KafkaCluster, KafkaNode, StartKafkaOptions } from './kafka/start-kafka.js';
export { KafkaLauncherError } from './kafka/kafka-launcher-error.js';
export { startSchemaRegistry } from './schema-registry/start-schema-registry.js';
export type { SchemaRegistry, StartSchemaRegistryOptions } from './schema-registry/start-schema-registry.js';
export { SchemaRegistryLauncherError } from './schema-registry/schema-registry-launcher-error.js';
export type { SchemaRegistryLauncherErrorCode } from './schema-registry/schema-registry-launcher-error.js';
export { describeTopicConfig } from './tools/describe-topic-config.js';
export {
  createTopics,
  deleteApplication,
  produceRecords,
  readToEnd,
  sourceTopicsOf,
  waitUntilCaughtUp,
} from './tools/integration-test-utils.js';
export type { KafkaTestRecord } from './tools/integration-test-utils.js';
// The raw records readToEnd returns and the headers a KafkaTestRecord carries (types of the Kafka client adapter).
export type { ConsumedMessage, WireHeaders } from '@kaskade/core/internal';
