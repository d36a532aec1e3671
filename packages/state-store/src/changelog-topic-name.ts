/**
 * Name of a store's changelog topic, as Kafka Streams names it: `<applicationId>-<storeName>-changelog`. The one place
 * the name is made: the topic planner creates it, the tasks write to it and restore from it.
 *
 * @see org.apache.kafka.streams.processor.internals.ProcessorStateManager#storeChangelogTopic
 */
export function changelogTopicName(applicationId: string, storeName: string): string {
  return `${applicationId}-${storeName}-changelog`;
}
