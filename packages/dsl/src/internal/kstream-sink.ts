import { TopologyError } from '@kaskade/processor-api';
import type { StreamPartitioner, TopicNameExtractor } from '@kaskade/core';
import type { Produced } from '../produced.js';
import type { StreamProps } from './stream-props.js';

/** `KStream.to`: a `KSTREAM-SINK-` node with the Produced's serdes, partitioner and managed topic config. */
export function addStreamSink<K, V>(
  props: StreamProps<K, V>,
  topic: string | TopicNameExtractor<K, V>,
  produced: Produced<K, V> | undefined,
): void {
  const { builder, name: parent, keySerde, valueSerde } = props;
  if (typeof topic === 'string' && topic.length === 0) throw new TopologyError('to() needs a topic name');
  const generated = builder.newProcessorName('KSTREAM-SINK-'); // taken even when named, as in Kafka Streams
  const name = produced?.processorName ?? generated;
  builder.addSink({
    name,
    parentNames: [parent],
    topic: topic as string | TopicNameExtractor<unknown, unknown>,
    keySerde: produced?.keySerde ?? keySerde,
    valueSerde: produced?.valueSerde ?? valueSerde,
    partitioner: produced?.partitioner as StreamPartitioner<unknown, unknown> | undefined,
    topicConfig: produced?.topicConfig,
  });
}
