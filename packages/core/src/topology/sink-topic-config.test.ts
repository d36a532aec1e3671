import { describe, expect, it } from 'vitest';
import { Topology } from './topology.js';

describe('SinkOptions.topicConfig', () => {
  const sink = (topicConfig: unknown, topic: unknown = 'out') =>
    new Topology()
      .addSource('src', 'in')
      .addSink('sink', topic as string, { topicConfig: topicConfig as never }, 'src');

  it('should accept partitions, a replication factor and string configs', () => {
    expect(() => sink({ partitions: 3, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } })).not.toThrow();
    expect(() => sink({ partitions: 1, replicationFactor: -1 })).not.toThrow();
  });

  it('should refuse bad values at construction with an error naming the sink and the field', () => {
    expect(() => sink({ partitions: 0 })).toThrow('sink "sink": topicConfig partitions must be an integer >= 1, got 0');
    expect(() => sink({ partitions: 2.5 })).toThrow(/partitions must be an integer >= 1, got 2.5/);
    expect(() => sink({ partitions: 1, replicationFactor: 0 })).toThrow(
      /replicationFactor must be -1 or an integer >= 1, got 0/,
    );
    expect(() => sink({ partitions: 1, configs: { 'retention.ms': 1000 } })).toThrow(
      /configs\["retention.ms"\] must be a string, got number/,
    );
    expect(() => sink({ partitions: 1 }, () => 'x')).toThrow(/needs a fixed topic name/);
  });
});
