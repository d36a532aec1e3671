/**
 * Whether a topic is one of the application's internal topics, by Kafka Streams' naming: `<applicationId>-` and a
 * changelog, repartition or foreign-key subscription suffix. These are what a reset deletes.
 */
export function isInternalTopic(applicationId: string, topic: string): boolean {
  return (
    topic.startsWith(`${applicationId}-`) &&
    (topic.endsWith('-changelog') ||
      topic.endsWith('-repartition') ||
      topic.endsWith('-subscription-registration-topic') ||
      topic.endsWith('-subscription-response-topic'))
  );
}
