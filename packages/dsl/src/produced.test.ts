import { describe, expect, it } from 'vitest';
import { Serdes } from '@kaskade/core';
import { Consumed } from './consumed.js';
import { Produced } from './produced.js';
import { StreamsBuilder } from './streams-builder.js';

describe('Produced.withTopicConfig', () => {
  it('should carry the managed topic config to the sink and keep the other settings', () => {
    const S = Serdes.String();
    const produced = Produced.with(S, S)
      .withName('out-sink')
      .withTopicConfig({ partitions: 4, configs: { 'cleanup.policy': 'compact' } });
    expect(produced.processorName).toBe('out-sink');
    expect(produced.withValueSerde(Serdes.Int64()).topicConfig).toEqual({
      partitions: 4,
      configs: { 'cleanup.policy': 'compact' },
    });
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).to('out', produced);
    const sinks = builder
      .build()
      .subtopologies()
      .flatMap((s) => s.sinks);
    expect(sinks.map((s) => [s.name, s.topic, s.options.topicConfig])).toEqual([
      ['out-sink', 'out', { partitions: 4, configs: { 'cleanup.policy': 'compact' } }],
    ]);
  });

  it('should refuse a bad topic config when the topology is built, naming the sink', () => {
    const S = Serdes.String();
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).to('out', Produced.with(S, S).withTopicConfig({ partitions: -2 }));
    expect(() => builder.build()).toThrow(
      /sink "KSTREAM-SINK-0000000001": topicConfig partitions must be an integer >= 1/,
    );
  });
});
