/**
 * The subject under which a schema is registered and looked up, from the topic, whether it is the record's key, and
 * the full name of the Avro record (namespace and name; undefined for a non-record schema).
 *
 * @see io.confluent.kafka.serializers.subject.strategy.SubjectNameStrategy
 */
export type SubjectNameStrategy = (topic: string, isKey: boolean, recordName: string | undefined) => string;

/** `<topic>-key` or `<topic>-value`: one schema history per topic (Confluent's default). */
export const TopicNameStrategy: SubjectNameStrategy = (topic, isKey) => `${topic}-${isKey ? 'key' : 'value'}`;

/** The record's full name: one schema history per record type, shared by every topic that carries it. */
export const RecordNameStrategy: SubjectNameStrategy = (_topic, _isKey, recordName) => {
  if (recordName === undefined) throw new TypeError('RecordNameStrategy needs an Avro record schema (a named type)');
  return recordName;
};

/** `<topic>-<record full name>`: one schema history per record type and topic. */
export const TopicRecordNameStrategy: SubjectNameStrategy = (topic, isKey, recordName) =>
  `${topic}-${RecordNameStrategy(topic, isKey, recordName)}`;

/** The built-in strategies by name, for configuration by string. */
export const subjectNameStrategies = {
  TopicNameStrategy,
  RecordNameStrategy,
  TopicRecordNameStrategy,
} as const satisfies Record<string, SubjectNameStrategy>;
