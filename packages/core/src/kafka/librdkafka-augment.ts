// The client's type declarations miss methods that exist at run time (see ../shared/docs/KAFKA.md); they are
// declared here so the adapter stays type-checked.
export {};

declare module '@confluentinc/kafka-javascript/types/rdkafka.js' {
  interface KafkaConsumer {
    incrementalAssign(assignments: TopicPartition[]): this;
    incrementalUnassign(assignments: TopicPartition[]): this;
    assignmentLost(): boolean;
    rebalanceProtocol(): 'NONE' | 'EAGER' | 'COOPERATIVE';
    commitCb(toppars: TopicPartitionOffset[], cb: (err: LibrdKafkaError | null) => void): this;
    setDefaultIsTimeoutOnlyForFirstMessage(value: boolean): void;
  }
}
