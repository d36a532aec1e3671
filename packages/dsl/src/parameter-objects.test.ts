import { describe, expect, it } from 'vitest';
import { Serdes } from '@kaskade/core';
import { BufferConfig } from './buffer-config.js';
import { Consumed } from './consumed.js';
import { Grouped } from './grouped.js';
import { Materialized } from './materialized.js';
import { Produced } from './produced.js';
import { Repartitioned } from './repartitioned.js';
import { Suppressed } from './suppressed.js';

describe('parameter objects', () => {
  it('should return new frozen values from every with-method, leaving the original unchanged', () => {
    const base = Materialized.as<string, number>('store');
    const changed = base.withLoggingDisabled().withCachingDisabled().withRetention(100).withValueSerde(Serdes.Int64());
    // Logging and caching are on by default, as in Kafka Streams.
    expect([base.loggingEnabled, base.cachingEnabled, base.retentionMs, base.valueSerde]).toEqual([
      true,
      true,
      undefined,
      undefined,
    ]);
    expect([changed.storeName, changed.loggingEnabled, changed.cachingEnabled, changed.retentionMs]).toEqual([
      'store',
      false,
      false,
      100,
    ]);
    expect(Object.isFrozen(changed)).toBe(true);
    const consumed = Consumed.with(Serdes.String(), Serdes.String());
    expect(consumed.withOffsetResetPolicy('earliest').offsetResetPolicy).toBe('earliest');
    expect(consumed.offsetResetPolicy).toBeUndefined();
  });

  it('should keep the other settings when a serde changes', () => {
    const partitioner = () => 0;
    const produced = Produced.streamPartitioner<string, string>(partitioner)
      .withName('sink')
      .withKeySerde(Serdes.String());
    expect(produced.partitioner).toBe(partitioner);
    expect(produced.processorName).toBe('sink');
    const grouped = Grouped.as<string, string>('g').withKeySerde(Serdes.String());
    expect(grouped.name).toBe('g');
    expect(Repartitioned.as('r').withNumberOfPartitions(3).name).toBe('r');
  });

  it('should refuse invalid names, partition counts, retention and buffer bounds', () => {
    expect(() => Materialized.as('has space')).toThrowError(/invalid/);
    expect(() => Repartitioned.numberOfPartitions(0)).toThrowError(/>= 1/);
    expect(() => Materialized.as('s').withRetention(-1)).toThrowError(/retention/);
    expect(() => BufferConfig.maxRecords(0)).toThrowError(/maxRecords/);
    expect(() => Suppressed.untilTimeLimit(-1, BufferConfig.unbounded())).toThrowError(/untilTimeLimit/);
  });
});
