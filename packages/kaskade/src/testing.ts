// kaskade/testing — what tests of a Kaskade application use: the TopologyTestDriver (no broker) and startKafka (a
// real Apache Kafka broker or three-node cluster on loopback, from Maven Central's jars).
export * from '@kaskade/testing';
