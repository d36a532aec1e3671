/**
 * `topic-3` for a partition, plain `topic` when the partition is not known (librdkafka's -1, "let the partitioner
 * choose", which would otherwise print as `topic--1`).
 */
export function topicPartitionName(topic: string, partition: number | undefined): string {
  return partition === undefined || partition < 0 ? topic : `${topic}-${partition}`;
}
