// @kaskade/schema-registry — serdes for topics whose schemas live in a Confluent-compatible schema registry.
export { schemaRegistryAvroSerde } from './schema-registry-avro-serde.js';
export type { SchemaRegistryAvroSerdeOptions, SchemaRegistryClientLike } from './schema-registry-avro-serde.js';
export { TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy } from './subject-name-strategy.js';
export type { SubjectNameStrategy } from './subject-name-strategy.js';
export { SchemaRegistryError, SchemaRegistryWireFormatError } from './schema-registry-error.js';
export type { SchemaRegistryErrorReason, WireFormatErrorReason } from './schema-registry-error.js';
