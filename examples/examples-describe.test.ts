// The examples' topologies print exactly what Kafka Streams 4.3.1's describe() prints for the same programs
// (conformance/src/main/java/conformance/Main.java, defineExamples).
import { describe, expect, it } from 'vitest';
import { KAFKA_STREAMS_DESCRIBE } from '../packages/testing/src/dsl-tests/kafka-streams-describe.expected.js';
import { ordersTopology } from './orders-processor-api.js';
import { pageViewsTopology } from './page-views.js';
import { pipelineTopology } from './pipeline.js';
import { wordCountTopology } from './word-count.js';

describe("the examples' topologies", () => {
  it('should describe word-count as Kafka Streams does', () => {
    expect(wordCountTopology({ input: 'lines', output: 'counts' }).describe().toString()).toBe(
      KAFKA_STREAMS_DESCRIBE['example-word-count'],
    );
  });

  it('should describe page-views as Kafka Streams does', () => {
    expect(pageViewsTopology({ input: 'views', output: 'per-minute' }).describe().toString()).toBe(
      KAFKA_STREAMS_DESCRIBE['example-page-views'],
    );
  });

  it('should describe the order pipeline as Kafka Streams does', () => {
    const topics = { orders: 'orders', customers: 'customers', enriched: 'orders-enriched', failed: 'orders-failed' };
    expect(pipelineTopology(topics).describe().toString()).toBe(KAFKA_STREAMS_DESCRIBE['example-pipeline']);
  });

  it('should describe the Processor API example as Kafka Streams does', () => {
    expect(ordersTopology().describe().toString()).toBe(KAFKA_STREAMS_DESCRIBE['example-orders-processor-api']);
  });
});
